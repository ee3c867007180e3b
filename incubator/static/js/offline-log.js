// Offline activity logs, and the service worker's registration.
// A log written without signal is kept on this phone (IndexedDB: its fields and
// its photos as Blobs) and shown as 待发送; it is sent once the phone is back
// online, with the submission key it was written with, so a send whose answer
// was lost and is tried again makes no second record. The service worker loads
// this file too (importScripts): the part above "Pages only" uses no DOM.
"use strict";
(function (root) {
  var DB_NAME = "incubator-offline";
  var STORE = "activity-logs";
  var SYNC_TAG = "send-activity-logs";
  var LOCK = "incubator-send-activity-logs";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function list() {
    return withStore("readonly", function (store) { return store.getAll(); })
      .then(function (items) {
        return (items || []).sort(function (a, b) { return a.savedAt - b.savedAt; });
      });
  }
  function put(item) {
    return withStore("readwrite", function (store) { store.put(item); });
  }
  function remove(key) {
    return withStore("readwrite", function (store) { store["delete"](key); });
  }
  function clearAll() {
    return withStore("readwrite", function (store) { store.clear(); });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) {
      return root.crypto.randomUUID().replace(/-/g, "");
    }
    return String(Date.now()) + String(Math.random()).slice(2);
  }

  // Keep a posted form (a FormData): every field but the CSRF token, and the photos.
  function queueFormData(data, url) {
    var fields = [];
    var photos = [];
    data.forEach(function (value, name) {
      if (name === "csrf_token") { return; }
      if (typeof value === "string") { fields.push([name, value]); return; }
      if (value && value.size) {
        photos.push({ field: name, name: value.name || "photo.jpg", blob: value });
      }
    });
    var key = data.get("submission_key") || newKey();
    if (!data.get("submission_key")) { fields.push(["submission_key", key]); }
    var title = data.get("title") || "";
    return put({
      key: key, url: url, fields: fields, photos: photos, title: String(title),
      heldOn: String(data.get("held_on") || ""), savedAt: Date.now(),
      state: "pending", error: ""
    }).then(function () { return key; });
  }

  function tokenFrom(html) {
    var tag = /<input[^>]*name="csrf_token"[^>]*>/.exec(html);
    var value = tag && /value="([^"]*)"/.exec(tag[0]);
    return value ? value[1] : null;
  }

  function errorsFrom(html) {
    var found = [];
    var pattern = /class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>([\s\S]*?)<\/div>/g;
    var match;
    while ((match = pattern.exec(html)) !== null) {
      var text = match[1].replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
      if (text) { found.push(text); }
    }
    return found.join(" ");
  }

  function isLogin(response) {
    return new URL(response.url).pathname.indexOf("/login") === 0;
  }

  // Send one kept log. Resolves "sent", "login" (signed out: kept), "failed"
  // (the server refused it: kept with its message); rejects without signal.
  function sendOne(item) {
    var credentials = { credentials: "same-origin", cache: "no-store" };
    return fetch(item.url, credentials).then(function (page) {
      if (isLogin(page)) { return "login"; }
      return page.text().then(function (html) {
        var token = tokenFrom(html);
        var body = new FormData();
        item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
        if (token) { body.append("csrf_token", token); }
        item.photos.forEach(function (photo) {
          body.append(photo.field, photo.blob, photo.name);
        });
        return fetch(item.url, {
          method: "POST", body: body, credentials: "same-origin"
        }).then(function (answer) {
          var path = new URL(answer.url).pathname;
          if (answer.redirected && /^\/activities\/\d+$/.test(path)) {
            return remove(item.key).then(function () { return "sent"; });
          }
          if (isLogin(answer)) { return "login"; }
          return answer.text().then(function (text) {
            item.state = "failed";
            item.error = errorsFrom(text) || String(answer.status);
            return put(item).then(function () { return "failed"; });
          });
        });
      });
    });
  }

  // Send every pending log, one after the other; one sender at a time per phone
  // (pages and the worker share the lock). Resolves {sent: n, left: n}.
  var running = null;
  function sendAll() {
    if (running) { return running; }
    var work = function () {
      return list().then(function (items) {
        var pending = items.filter(function (item) { return item.state === "pending"; });
        var sent = 0;
        var chain = Promise.resolve();
        var stop = false;
        pending.forEach(function (item) {
          chain = chain.then(function () {
            if (stop) { return; }
            return sendOne(item).then(function (outcome) {
              if (outcome === "sent") { sent += 1; }
              if (outcome === "login") { stop = true; }
            }, function () { stop = true; });  // no signal: try again later
          });
        });
        return chain.then(function () {
          return list().then(function (rest) {
            var waiting = rest.filter(function (item) { return item.state === "pending"; });
            return { sent: sent, left: rest.length, pending: waiting.length };
          });
        });
      });
    };
    var locks = root.navigator && root.navigator.locks;
    running = (locks ? locks.request(LOCK, work) : work());
    running.then(function () { running = null; }, function () { running = null; });
    return running;
  }

  root.OfflineLog = {
    SYNC_TAG: SYNC_TAG, list: list, put: put, remove: remove, clearAll: clearAll,
    queueFormData: queueFormData, sendAll: sendAll, newKey: newKey
  };
})(self);

// ---- Pages only ----
(function () {
  if (typeof document === "undefined") { return; }
  var OfflineLog = self.OfflineLog;
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  function t(zhText, enText) { return zh ? zhText : enText; }
  var justSent = 0;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "activity-logs") {
        justSent += event.data.sent || 0;
        render();
      }
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function render() {
    var box = document.getElementById("pending-logs");
    if (!box || !self.indexedDB) { return Promise.resolve(); }
    return OfflineLog.list().then(function (items) {
      box.textContent = "";
      if (justSent) {
        var done = el("div", "alert alert-success py-2 mb-2",
          t(justSent + " 条活动记录已发送，等待社工审核。",
            justSent + " activity log(s) kept on this phone were sent for review."));
        done.setAttribute("role", "status");
        done.setAttribute("data-testid", "pending-sent");
        box.appendChild(done);
      }
      if (!items.length) { return; }
      var panel = el("div", "alert alert-warning py-2 mb-2 pending-logs");
      panel.setAttribute("role", "status");
      panel.appendChild(el("strong", "", t(items.length + " 条活动记录待发送",
        items.length + " activity log(s) waiting to be sent")));
      panel.appendChild(el("div", "small", t(
        "已保存在这部手机上，有信号时自动发送。",
        "Kept on this phone; sent automatically when there is signal.")));
      var ul = el("ul", "list-unstyled mb-0 mt-1");
      items.forEach(function (item) {
        var li = el("li", "pending-log d-flex flex-wrap align-items-center gap-2 py-1");
        li.setAttribute("data-testid", "pending-item");
        li.appendChild(el("span", "badge text-bg-secondary",
          item.state === "failed" ? t("未能发送", "Not sent") : t("待发送", "To send")));
        var label = (item.heldOn ? item.heldOn + " " : "") + (item.title || t("(无标题)", "(no title)"));
        if (item.photos.length) { label += t("（" + item.photos.length + " 张照片）", " (" + item.photos.length + " photo(s))"); }
        li.appendChild(el("span", "flex-grow-1", label));
        if (item.state === "failed") {
          li.appendChild(el("span", "small text-danger w-100", item.error));
          var drop = el("button", "btn btn-sm btn-outline-danger", t("删除", "Discard"));
          drop.type = "button";
          drop.addEventListener("click", function () {
            if (window.confirm(t("删除这条未发送的记录？", "Discard this log?"))) {
              OfflineLog.remove(item.key).then(render);
            }
          });
          li.appendChild(drop);
        }
        ul.appendChild(li);
      });
      panel.appendChild(ul);
      box.appendChild(panel);
    });
  }

  function send() {
    if (!self.indexedDB || navigator.onLine === false) { return render(); }
    return OfflineLog.sendAll().then(function (outcome) {
      justSent += outcome.sent;
      return render();
    }, render);
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) { return reg.sync.register(OfflineLog.SYNC_TAG); }
    }).catch(function () {});
  }

  function keep(form) {
    var data = new FormData(form);
    var url = window.location.pathname + window.location.search;
    return OfflineLog.queueFormData(data, url).then(function () {
      var draft = form.getAttribute("data-draft");
      try { window.localStorage.removeItem("draft:" + draft); } catch (e) { /* */ }
      form.reset();
      var key = form.querySelector("input[name=submission_key]");
      if (key) { key.value = OfflineLog.newKey(); }
      form.removeAttribute("data-sent");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
      askForSync();
      return render();
    }).then(function () {
      var box = document.getElementById("pending-logs");
      if (box) { box.scrollIntoView({ block: "start" }); }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[action$='/logout']")) {
      // Nothing of this user stays on the phone after logout (the answer also
      // says Clear-Site-Data; this covers browsers that ignore it).
      if (form.getAttribute("data-cleared") === "1") { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      form.setAttribute("data-cleared", "1");
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "clear" });
      }
      var cleared = self.indexedDB ? OfflineLog.clearAll() : Promise.resolve();
      var late = new Promise(function (resolve) { window.setTimeout(resolve, 1500); });
      Promise.race([cleared, late]).then(function () {}, function () {})
        .then(function () { form.submit(); });
      return;
    }
    if (!form.hasAttribute("data-offline-log") || !self.indexedDB) { return; }
    if (navigator.onLine !== false) { return; }  // online: the normal post
    event.preventDefault();
    keep(form);
  }, true);

  // A page restored from the worker's cache may carry a key already used by a
  // kept log: give the form a fresh one.
  function freshKey() {
    var input = document.querySelector("form[data-offline-log] input[name=submission_key]");
    if (!input || !self.indexedDB) { return Promise.resolve(); }
    return OfflineLog.list().then(function (items) {
      if (items.some(function (item) { return item.key === input.value; })) {
        input.value = OfflineLog.newKey();
      }
    });
  }

  window.addEventListener("online", send);
  window.addEventListener("offline", render);
  freshKey().then(send).catch(function () {});
})();
