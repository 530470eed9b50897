/* Lets Miroir install on a phone's home screen and show a page when the network is down
   (core/pwa.py). The worker stores no page, only the offline page and static files. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  const script = document.currentScript;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(script.dataset.worker, { scope: "/" }).catch(function () {});
  });
})();
