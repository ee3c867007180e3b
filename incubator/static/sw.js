// The service worker. /sw.js puts SHELL_VERSION, SHELL_URLS, OFFLINE_URL and
// QUEUE_SCRIPT in front of this file.
// - /static/ and /bootstrap/static/: cache first (the app shell).
// - page navigations: network first; without signal the activity form (if it was
//   opened before) or the offline page. No other page and no API answer is kept.
// - a posted activity form that cannot reach the server is kept on the phone (the
//   queue of offline-log.js) and sent later with the same submission key.
/* global SHELL_VERSION, SHELL_URLS, OFFLINE_URL, QUEUE_SCRIPT, OfflineLog */
"use strict";
importScripts(QUEUE_SCRIPT);

var CACHE = "shell-" + SHELL_VERSION;
var FORM_PATH = "/activities/new";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL_URLS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isShell(url) {
  return url.pathname.indexOf("/static/") === 0 ||
         url.pathname.indexOf("/bootstrap/static/") === 0;
}

function cacheFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

function offlinePage(url) {
  return caches.open(CACHE).then(function (cache) {
    var form = url.pathname === FORM_PATH
      ? cache.match(url.href).then(function (hit) {
          return hit || cache.match(url.origin + FORM_PATH, { ignoreSearch: true });
        })
      : Promise.resolve(undefined);
    return form.then(function (hit) { return hit || cache.match(OFFLINE_URL); });
  });
}

function networkFirst(request, url) {
  return fetch(request).then(function (response) {
    if (url.pathname === FORM_PATH && response.ok && !response.redirected &&
        response.headers.get("content-type").indexOf("text/html") === 0) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.href, copy); });
    }
    return response;
  }).catch(function () { return offlinePage(url); });
}

function postForm(request, url) {
  var kept = request.clone();
  return fetch(request).catch(function () {
    // No answer (no signal, or the answer was lost): keep it on the phone.
    return kept.formData().then(function (data) {
      return OfflineLog.queueFormData(data, url.pathname + url.search);
    }).then(function () {
      registerSync();
      return Response.redirect(url.pathname + url.search, 303);
    });
  });
}

function registerSync() {
  if (self.registration.sync) {
    self.registration.sync.register(OfflineLog.SYNC_TAG).catch(function () {});
  }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    if (request.mode === "navigate" && url.pathname === FORM_PATH) {
      event.respondWith(postForm(request, url));
    }
    return;
  }
  if (request.method !== "GET") { return; }
  if (isShell(url)) { event.respondWith(cacheFirst(request)); return; }
  if (request.mode === "navigate") { event.respondWith(networkFirst(request, url)); }
  // Anything else (the API, exports, photos, fetch() of pages): the network only.
});

function tellPages(outcome) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) {
      page.postMessage({ type: "activity-logs", sent: outcome.sent });
    });
    // Logs still waiting (no answer): fail the sync so the browser tries again.
    if (outcome.pending) { throw new Error("activity logs still waiting"); }
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === OfflineLog.SYNC_TAG) {
    event.waitUntil(OfflineLog.sendAll().then(tellPages));
  }
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "clear") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }));
  }
});
