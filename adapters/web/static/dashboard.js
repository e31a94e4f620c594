// partnerbot dashboard (no dependencies, no network but this server).
// 1. Times: every <time datetime> is shown in the viewer's own zone and locale.
// 2. Live parts: an element with data-refresh="URL" is replaced every data-every seconds (default 5)
//    by the HTML fragment at URL, until the fragment answers with the header "X-Refresh: stop".
"use strict";

function localTimes(root) {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const el of root.querySelectorAll("time[datetime]")) {
    const at = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) {
      el.title = el.textContent;
      el.textContent = format.format(at);
    }
  }
}

function liveRefresh(el) {
  const every = 1000 * Number(el.dataset.every || 5);
  const tick = async () => {
    try {
      const response = await fetch(el.dataset.refresh, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (response.ok) {
        el.innerHTML = await response.text();
        localTimes(el);
        el.dataset.refreshed = String(Number(el.dataset.refreshed || 0) + 1);
        if (response.headers.get("X-Refresh") === "stop") return;
      }
    } catch (error) {
      // The server restarted or the network blinked: try again at the next tick.
    }
    setTimeout(tick, every);
  };
  setTimeout(tick, every);
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  document.querySelectorAll("[data-refresh]").forEach(liveRefresh);
});
