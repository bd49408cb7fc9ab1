// Progressive enhancement for times (plumbers.timefmt): every <time datetime data-local>
// shows the moment in the conference's zone; when the visitor's own zone differs, their
// local time is added next to it, named like ours ("Berlin time, UTC+2"), never by an
// abbreviation. [data-countdown] elements count down to an offer's expiry. No inline
// script, no markup injection: only text nodes and a span with a class.
(function () {
  "use strict";

  function offsetText(minutes) {
    if (!minutes) return "UTC";
    var sign = minutes > 0 ? "+" : "\u2212";
    var abs = Math.abs(minutes);
    var hours = Math.floor(abs / 60);
    var rest = abs % 60;
    return "UTC" + sign + hours + (rest ? ":" + (rest < 10 ? "0" : "") + rest : "");
  }

  // "UTC+1", "UTC−5:30", "UTC" in the page's own text → minutes east of UTC.
  function shownOffset(text) {
    var match = /UTC(?:([+\u2212-])(\d{1,2})(?::(\d\d))?)?\)?\s*$/.exec(text);
    if (!match) return null;
    if (!match[1]) return 0;
    var minutes = parseInt(match[2], 10) * 60 + (match[3] ? parseInt(match[3], 10) : 0);
    return match[1] === "+" ? minutes : -minutes;
  }

  function zoneCity() {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      if (!zone || zone === "UTC" || zone === "Etc/UTC") return "";
      return zone.split("/").pop().replace(/_/g, " ");
    } catch (e) {
      return "";
    }
  }

  function localText(date) {
    var text;
    try {
      text = date.toLocaleString(undefined, {
        weekday: "short", day: "numeric", month: "short", year: "numeric",
        hour: "2-digit", minute: "2-digit"
      });
    } catch (e) {
      text = date.toString();
    }
    var offset = offsetText(-date.getTimezoneOffset());
    var city = zoneCity();
    return text + " (" + (city ? city + " time, " : "") + offset + ")";
  }

  function addLocalTimes() {
    var times = document.querySelectorAll("time[datetime][data-local]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      if (el.getAttribute("data-local-done")) continue;
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) continue;
      var shown = shownOffset(el.textContent.replace(/\)\s*$/, ""));
      var mine = -date.getTimezoneOffset();
      el.setAttribute("data-local-done", "1");
      if (shown !== null && shown === mine) continue;
      var span = document.createElement("span");
      span.className = "local-time";
      span.textContent = " \u2014 your time: " + localText(date);
      // After the UTC / AoE note that may follow the time ("(22:59 UTC)"), not inside it.
      var after = el;
      var next = el.nextElementSibling;
      if (next && next.classList.contains("meta") && next.previousSibling &&
          (next.previousSibling === el || !next.previousSibling.textContent.trim())) {
        after = next;
      }
      after.parentNode.insertBefore(span, after.nextSibling);
    }
  }

  function countdownText(ms) {
    if (ms <= 0) return " \u2014 the time is up; reload the page to see what happened.";
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts = [];
    if (days) parts.push(days + (days === 1 ? " day" : " days"));
    if (hours) parts.push(hours + (hours === 1 ? " hour" : " hours"));
    if (!days && (mins || !parts.length)) parts.push(mins + (mins === 1 ? " minute" : " minutes"));
    return " \u2014 " + parts.join(" ") + " left";
  }

  function tickCountdowns() {
    var items = document.querySelectorAll("[data-countdown]");
    var now = Date.now();
    for (var i = 0; i < items.length; i++) {
      // Seconds since the epoch: no zone to misread.
      var end = parseInt(items[i].getAttribute("data-countdown"), 10) * 1000;
      if (!isNaN(end)) items[i].textContent = countdownText(end - now);
    }
    return items.length;
  }

  function start() {
    addLocalTimes();
    if (tickCountdowns()) window.setInterval(tickCountdowns, 30000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
