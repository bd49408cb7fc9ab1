// The program in the visitor's own time zone (progressive enhancement).
//
// The program's grid and lists show times of day (<time data-clock>, from the {% clock %}
// tag) under a heading that names the conference's zone with its city and UTC offset. When
// the visitor's browser is in another zone, this adds their own time of day next to each,
// inside an element carrying data-zone="<the conference's IANA zone>", and says so in the
// heading's note. Full dates ({% show_time %}) are localtime.js's. Without JavaScript, or in
// the conference's own zone, nothing changes.
(function () {
  "use strict";

  function visitorZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function formatter(zone) {
    return new Intl.DateTimeFormat(undefined, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: zone,
    });
  }

  function enhance(container) {
    var conferenceZone = container.getAttribute("data-zone");
    var mine = visitorZone();
    if (!conferenceZone || !mine || mine === conferenceZone) {
      return;
    }
    var theirs, ours;
    try {
      theirs = formatter(conferenceZone);
      ours = formatter(mine);
    } catch (error) {
      return; // an unknown zone: leave the page as it is
    }
    var changed = false;
    container.querySelectorAll("time[data-clock]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) {
        return;
      }
      if (theirs.format(moment) === ours.format(moment)) {
        return; // same wall-clock time in both zones
      }
      var extra = document.createElement("span");
      extra.className = "your-time";
      extra.textContent = " (" + ours.format(moment) + " yours)";
      element.after(extra);
      changed = true;
    });
    if (changed) {
      container.querySelectorAll(".program-your-zone").forEach(function (note) {
        note.textContent = " Times in brackets are in your own zone (" + mine.replace(/_/g, " ") + ").";
        note.hidden = false;
      });
    }
  }

  function start() {
    document.querySelectorAll("[data-zone]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
