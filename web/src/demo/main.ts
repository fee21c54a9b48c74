import "../components/dealflow-summary.js";
import "./app.js";

// Offline reloads: the service worker keeps the app shell (see public/sw.js).
if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("/sw.js").then(async () => {
    const registration = await navigator.serviceWorker.ready;
    const loaded = performance
      .getEntriesByType("resource")
      .map((entry) => entry.name);
    registration.active?.postMessage({ cache: [location.href, ...loaded] });
  });
}
