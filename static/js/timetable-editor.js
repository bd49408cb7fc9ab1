/* The organizers' timetable editor: drag and drop with the mouse, and the same moves with
   the keyboard. Every change is POSTed as JSON to the editor's endpoint (the same audited
   services as the page's plain forms, which work without this script). A refused change
   shows its reason in the status line above the grid and puts the item back; an accepted
   one reloads the page (the server's grid is the truth) and focuses the item again.

   With the mouse, the bar at the bottom of a placed item changes its end in 5-minute steps.

   Keyboard, on a focused item of the grid or of the unscheduled list:
     Enter / Space   pick up; again to drop it where it is shown
     Arrow up/down   15 minutes earlier / later (with Shift: 5 minutes)
     Arrow left/right the previous / next room
     + / -           5 minutes longer / shorter (a placed item is saved at once)
     Delete          unschedule (a placed item)
     Escape          put the picked-up item back */
(function () {
  "use strict";

  var editor = document.getElementById("tt-editor");
  var grid = document.getElementById("tt-grid");
  if (!editor || !grid) {
    return;
  }
  var api = editor.getAttribute("data-api");
  var status = document.getElementById("tt-status");
  var csrfInput = editor.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var FOCUS_KEY = "tt-editor-focus";
  var STEP = 5;

  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  live.id = "tt-live";
  editor.appendChild(live);

  // The grid's geometry, read from its cells: rooms in column order, the first moment.
  var cells = Array.prototype.slice.call(grid.querySelectorAll(".tt-cell"));
  if (!cells.length) {
    return;
  }
  var firstStart = cells[0].getAttribute("data-start");
  var rooms = [];
  cells.forEach(function (cell) {
    if (cell.getAttribute("data-start") === firstStart) {
      rooms.push({
        id: cell.getAttribute("data-room"),
        name: cell.getAttribute("data-room-name"),
        column: classNumber(cell, "tt-c"),
      });
    }
  });
  var dayDate = firstStart.slice(0, 10);
  var windowStart = toMinutes(firstStart.slice(11, 16));
  var DAY_END = 24 * 60;

  function classNumber(el, prefix) {
    var classes = el.className.split(/\s+/);
    for (var i = 0; i < classes.length; i++) {
      var m = classes[i].match(new RegExp("^" + prefix + "(\\d+)$"));
      if (m) {
        return parseInt(m[1], 10);
      }
    }
    return null;
  }

  function setClassNumber(el, prefix, value) {
    var classes = el.className.split(/\s+/).filter(function (c) {
      return !new RegExp("^" + prefix + "\\d+$").test(c);
    });
    classes.push(prefix + value);
    el.className = classes.join(" ");
  }

  function toMinutes(hhmm) {
    var parts = hhmm.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock(minutes) {
    return pad(Math.floor(minutes / 60) % 24) + ":" + pad(minutes % 60);
  }

  function localTime(minutes) {
    // A wall time of the shown day in the edition's zone; an end at 24:00 is sent as the
    // next day's 00:00.
    if (minutes >= DAY_END) {
      var d = new Date(dayDate + "T00:00:00Z");
      d.setUTCDate(d.getUTCDate() + 1);
      return d.toISOString().slice(0, 10) + "T" + clock(minutes - DAY_END);
    }
    return dayDate + "T" + clock(minutes);
  }

  function say(text) {
    live.textContent = text;
  }

  function showError(text) {
    status.setAttribute("role", "alert");
    status.textContent = text;
  }

  function clearError() {
    status.textContent = "";
  }

  function post(payload, element) {
    clearError();
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok && data.ok, data: data };
        });
      })
      .then(function (result) {
        if (result.ok) {
          try {
            window.sessionStorage.setItem(FOCUS_KEY, result.data.item.key);
          } catch (e) {
            /* private mode: no focus restore */
          }
          window.location.reload();
          return;
        }
        refused(element, result.data.error || "The change was refused.");
      })
      .catch(function () {
        refused(element, "The server could not be reached: nothing was changed.");
      });
  }

  function refused(element, message) {
    showError(message);
    if (element) {
      element.classList.add("tt-refused");
      element.setAttribute("aria-invalid", "true");
      element.focus();
    }
    say(message);
  }

  // ------------------------------------------------------------------ picking up (keyboard)

  var picked = null; // {el, home, next, classes, room, start, minutes, fromList}

  function stateOf(el) {
    var minutes = parseInt(el.getAttribute("data-minutes"), 10) || 45;
    if (el.classList.contains("tt-item")) {
      var start = toMinutes(el.getAttribute("data-start").slice(11, 16));
      var roomId = el.getAttribute("data-room");
      var index = rooms.findIndex(function (r) {
        return r.id === roomId;
      });
      return { room: Math.max(index, 0), start: start, minutes: minutes };
    }
    return { room: 0, start: windowStart, minutes: minutes };
  }

  function show(state) {
    var el = state.el;
    setClassNumber(el, "tt-c", rooms[state.room].column);
    var row = 2 + (state.start - windowStart) / STEP;
    setClassNumber(el, "tt-r", row);
    setClassNumber(el, "tt-e", row + state.minutes / STEP);
    var text =
      el.getAttribute("data-title") +
      ": " +
      rooms[state.room].name +
      ", " +
      clock(state.start) +
      " to " +
      clock(state.start + state.minutes) +
      ". Enter drops it here, Escape puts it back.";
    say(text);
  }

  function pickUp(el) {
    var state = stateOf(el);
    state.el = el;
    state.classes = el.className;
    state.home = el.parentNode;
    state.next = el.nextSibling;
    state.fromList = el.classList.contains("tt-candidate");
    if (state.fromList) {
      el.classList.add("tt-item");
      grid.appendChild(el);
    }
    el.classList.add("tt-picked");
    el.setAttribute("aria-pressed", "true");
    el.classList.remove("tt-refused");
    picked = state;
    show(state);
    el.focus();
  }

  function putBack() {
    if (!picked) {
      return;
    }
    var el = picked.el;
    el.className = picked.classes;
    el.removeAttribute("aria-pressed");
    if (picked.fromList) {
      picked.home.insertBefore(el, picked.next);
    }
    picked = null;
    el.focus();
  }

  function drop() {
    var state = picked;
    var el = state.el;
    var payload = {
      action: "place",
      key: el.getAttribute("data-key"),
      room: parseInt(rooms[state.room].id, 10),
      starts_at: localTime(state.start),
      ends_at: localTime(state.start + state.minutes),
    };
    say("Saving…");
    putBack();
    post(payload, el);
  }

  function move(dRoom, dMinutes, dLength) {
    var s = picked;
    s.room = Math.min(Math.max(s.room + dRoom, 0), rooms.length - 1);
    var minutes = Math.max(STEP, s.minutes + dLength);
    var start = s.start + dMinutes;
    start = Math.max(start, windowStart);
    start = Math.min(start, DAY_END - minutes);
    s.start = start;
    s.minutes = minutes;
    show(s);
  }

  function resizePlaced(el, delta) {
    var s = stateOf(el);
    var minutes = s.minutes + delta;
    if (minutes < STEP) {
      refused(el, "An item lasts at least 5 minutes.");
      return;
    }
    post(
      {
        action: "place",
        key: el.getAttribute("data-key"),
        room: parseInt(rooms[s.room].id, 10),
        starts_at: localTime(s.start),
        ends_at: localTime(s.start + minutes),
      },
      el
    );
  }

  editor.addEventListener("keydown", function (event) {
    var el = event.target.closest ? event.target.closest(".tt-item, .tt-candidate") : null;
    if (!el || event.target.tagName === "A") {
      return;
    }
    var key = event.key;
    if (picked && picked.el === el) {
      var step = event.shiftKey ? STEP : 15;
      var handled = true;
      if (key === "ArrowUp") {
        move(0, -step, 0);
      } else if (key === "ArrowDown") {
        move(0, step, 0);
      } else if (key === "ArrowLeft") {
        move(-1, 0, 0);
      } else if (key === "ArrowRight") {
        move(1, 0, 0);
      } else if (key === "+" || key === "=") {
        move(0, 0, STEP);
      } else if (key === "-") {
        move(0, 0, -STEP);
      } else if (key === "Enter" || key === " ") {
        drop();
      } else if (key === "Escape") {
        putBack();
        say("Put back.");
      } else {
        handled = false;
      }
      if (handled) {
        event.preventDefault();
      }
      return;
    }
    if (key === "Enter" || key === " ") {
      event.preventDefault();
      if (picked) {
        putBack();
      }
      pickUp(el);
    } else if ((key === "Delete" || key === "Backspace") && el.classList.contains("tt-item")) {
      event.preventDefault();
      post({ action: "unschedule", key: el.getAttribute("data-key") }, el);
    } else if ((key === "+" || key === "=") && el.classList.contains("tt-item")) {
      event.preventDefault();
      resizePlaced(el, STEP);
    } else if (key === "-" && el.classList.contains("tt-item")) {
      event.preventDefault();
      resizePlaced(el, -STEP);
    }
  });

  // ---------------------------------------------------------------------- drag and drop

  var dragged = null;

  editor.addEventListener("dragstart", function (event) {
    var el = event.target.closest ? event.target.closest(".tt-item, .tt-candidate") : null;
    if (!el) {
      return;
    }
    if (picked) {
      putBack();
    }
    dragged = el;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", el.getAttribute("data-key"));
    window.setTimeout(function () {
      grid.classList.add("tt-dragging");
    }, 0);
  });

  editor.addEventListener("dragend", function () {
    grid.classList.remove("tt-dragging");
    cells.forEach(function (cell) {
      cell.classList.remove("tt-drop-target");
    });
    dragged = null;
  });

  grid.addEventListener("dragover", function (event) {
    var cell = event.target.closest ? event.target.closest(".tt-cell") : null;
    if (!cell || !dragged) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });

  grid.addEventListener("dragenter", function (event) {
    var cell = event.target.closest ? event.target.closest(".tt-cell") : null;
    if (cell && dragged) {
      cell.classList.add("tt-drop-target");
    }
  });

  grid.addEventListener("dragleave", function (event) {
    var cell = event.target.closest ? event.target.closest(".tt-cell") : null;
    if (cell) {
      cell.classList.remove("tt-drop-target");
    }
  });

  grid.addEventListener("drop", function (event) {
    var cell = event.target.closest ? event.target.closest(".tt-cell") : null;
    if (!cell || !dragged) {
      return;
    }
    event.preventDefault();
    var el = dragged;
    var minutes = parseInt(el.getAttribute("data-minutes"), 10) || 45;
    var start = toMinutes(cell.getAttribute("data-start").slice(11, 16));
    post(
      {
        action: "place",
        key: el.getAttribute("data-key"),
        room: parseInt(cell.getAttribute("data-room"), 10),
        starts_at: localTime(start),
        ends_at: localTime(start + minutes),
      },
      el
    );
  });

  // ------------------------------------------------------------ resize with the mouse

  var resizing = null; // {el, handle, startY, minutes, start, room, rowHeight}

  grid.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest ? event.target.closest(".tt-resize") : null;
    if (!handle) {
      return;
    }
    var el = handle.closest(".tt-item");
    var s = stateOf(el);
    event.preventDefault();
    el.setAttribute("draggable", "false"); // a resize is not a move
    handle.setPointerCapture(event.pointerId);
    resizing = {
      el: el,
      handle: handle,
      startY: event.clientY,
      minutes: s.minutes,
      original: s.minutes,
      start: s.start,
      room: s.room,
      rowHeight: cells[0].getBoundingClientRect().height / 3,
    };
  });

  grid.addEventListener("pointermove", function (event) {
    if (!resizing) {
      return;
    }
    var rows = Math.round((event.clientY - resizing.startY) / resizing.rowHeight);
    var minutes = Math.max(STEP, resizing.original + rows * STEP);
    minutes = Math.min(minutes, DAY_END - resizing.start);
    if (minutes !== resizing.minutes) {
      resizing.minutes = minutes;
      var row = 2 + (resizing.start - windowStart) / STEP;
      setClassNumber(resizing.el, "tt-e", row + minutes / STEP);
      say(clock(resizing.start) + " to " + clock(resizing.start + minutes));
    }
  });

  function endResize(event) {
    if (!resizing) {
      return;
    }
    var r = resizing;
    resizing = null;
    r.el.setAttribute("draggable", "true");
    if (r.handle.hasPointerCapture && r.handle.hasPointerCapture(event.pointerId)) {
      r.handle.releasePointerCapture(event.pointerId);
    }
    if (r.minutes === r.original) {
      return;
    }
    var row = 2 + (r.start - windowStart) / STEP;
    setClassNumber(r.el, "tt-e", row + r.original / STEP); // the server's answer decides
    post(
      {
        action: "place",
        key: r.el.getAttribute("data-key"),
        room: parseInt(rooms[r.room].id, 10),
        starts_at: localTime(r.start),
        ends_at: localTime(r.start + r.minutes),
      },
      r.el
    );
  }

  grid.addEventListener("pointerup", endResize);
  grid.addEventListener("pointercancel", endResize);

  // -------------------------------------------------------------- focus after a reload

  try {
    var focusKey = window.sessionStorage.getItem(FOCUS_KEY);
    if (focusKey) {
      window.sessionStorage.removeItem(FOCUS_KEY);
      var target = editor.querySelector('[data-key="' + focusKey.replace(/"/g, "") + '"]');
      if (target) {
        target.focus();
      }
    }
  } catch (e) {
    /* no sessionStorage */
  }
})();
