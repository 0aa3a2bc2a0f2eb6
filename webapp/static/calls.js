/* Calls and referrals in the browser.
   On the search page: the call panel follows the search box (the question), collects what the
   agent copied with 复制依据 (citations), remembers what was searched and which articles were
   looked at, saves with Ctrl+S or Alt+S, and turns an unanswered question into a referral draft.
   On the referral draft: the suggested department follows the question, category and tax type. */
(function () {
  "use strict";
  var SEARCHED = "kb.call.searched", ARTICLES = "kb.call.articles", CALLER = "kb.call.caller";

  function remembered(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function remember(key, value) {
    value = (value || "").trim();
    if (!value) return;
    var list = remembered(key);
    if (list.indexOf(value) < 0) { list.push(value); sessionStorage.setItem(key, JSON.stringify(list.slice(-20))); }
  }
  function forget() { [SEARCHED, ARTICLES].forEach(function (key) { sessionStorage.removeItem(key); }); }

  /* -- the call panel on the search page ------------------------------------------------------ */
  var form = document.getElementById("call-form");
  if (form) {
    var box = document.getElementById("q");
    var list = document.getElementById("results");
    var question = document.getElementById("call-question");
    var answer = document.getElementById("call-answer");
    var citations = document.getElementById("call-citations");
    var status = document.getElementById("call-status");
    var today = document.getElementById("calls-today");

    question.addEventListener("input", function () { question.dataset.edited = question.value ? "1" : ""; });
    function follow() { if (box && !question.dataset.edited) question.value = box.value.trim(); }
    if (box) { box.addEventListener("input", follow); follow(); if (box.value.trim()) remember(SEARCHED, box.value); }

    /* what was searched: each query sent with Enter (not every prefix typed on the way) */
    var searchForm = document.getElementById("search-form");
    if (searchForm && box) searchForm.addEventListener("submit", function () { remember(SEARCHED, box.value); });

    /* 答复内容 filled by a copy (not typed by the agent) may be replaced by the answer card's */
    answer.addEventListener("input", function () { answer.dataset.auto = ""; });
    function fillAnswer(text, replaceCopied) {
      var now = answer.value.trim();
      if (!text || now && !(replaceCopied && now === answer.dataset.auto)) return;
      answer.value = text;
      answer.dataset.auto = text.trim();
    }
    function addCitations(more) {
      var lines = citations.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
      more.forEach(function (c) { c = c.trim(); if (c && lines.indexOf(c) < 0) lines.push(c); });
      citations.value = lines.join("\n");
    }
    function copied(element) {
      var holder = element && element.closest ? element.closest("[data-citation]") : null;
      if (!holder) return;
      if (holder.classList.contains("faq-card") && holder.closest("#faq-slot")) {
        /* the answer card: its answer and every citation it gives */
        var basis = (holder.getAttribute("data-basis") || "").split("\n");
        basis.forEach(function (c) { remember(ARTICLES, c); });
        addCitations(basis);
        fillAnswer(holder.getAttribute("data-answer"), true);
        return;
      }
      if (!holder.closest("#results")) return;
      var citation = holder.getAttribute("data-citation");
      remember(ARTICLES, citation);
      addCitations([citation]);
      fillAnswer(holder.getAttribute("data-answer"), false);  /* the matching 款, not the whole article */
    }
    /* 复制依据 by key goes through window.kb.copyFrom (search.js); by click through app.js's listener */
    if (window.kb && window.kb.copyFrom) {
      var copyFrom = window.kb.copyFrom;
      window.kb.copyFrom = function (element) { copyFrom(element); copied(element); };
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("#results button.copy, #faq-slot button.copy") : null;
      if (button) copied(button);
      var link = event.target.closest ? event.target.closest("#results a.citation") : null;
      if (link) remember(ARTICLES, link.textContent);
    });
    if (list) {
      list.addEventListener("keydown", function (event) {
        var item = event.target.closest && event.target.closest(".result");
        if (item && event.key === "Enter" && !event.ctrlKey && event.target === item) {
          remember(ARTICLES, item.getAttribute("data-citation"));
        }
      });
    }

    function addRow(call) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = call.url;
      var when = document.createElement("span");
      when.className = "when";
      when.textContent = call.time + " ";
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = call.category;
      link.appendChild(when);
      link.appendChild(tag);
      link.appendChild(document.createTextNode(" " + call.question.slice(0, 40)));
      var small = document.createElement("small");
      small.textContent = " " + call.disposition;
      item.appendChild(link);
      item.appendChild(small);
      today.insertBefore(item, today.firstChild);
    }

    /* a new call: an empty record, and no searches or articles of the previous one */
    function clear() {
      ["call-caller-name", "call-caller-phone"].forEach(function (id) { document.getElementById(id).value = ""; });
      answer.value = ""; answer.dataset.auto = ""; citations.value = ""; question.value = ""; question.dataset.edited = "";
      document.getElementById("call-category").selectedIndex = 0;
      document.getElementById("call-tax-type").selectedIndex = 0;
      document.getElementById("call-disposition").selectedIndex = 0;
      document.getElementById("call-transferred-to").selectedIndex = 0;
      forget();
    }
    var newCall = document.getElementById("new-call");
    if (newCall) {
      newCall.addEventListener("click", function () {
        clear();
        if (box) { box.value = ""; box.dispatchEvent(new Event("input")); box.focus(); }
        status.className = "call-status";
        status.textContent = "新来电：已清空接听记录和检索记录";
      });
    }

    function save() {
      status.className = "call-status";
      status.textContent = "保存中……";
      return fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                                  headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
        .then(function (result) {
          var data = result[1];
          if (!result[0]) { status.className = "call-status error"; status.textContent = data.message || "保存失败"; return; }
          addRow(data.call);
          /* the saved call's own searches go with its referral; the next call starts with none */
          var own = new URLSearchParams();
          remembered(SEARCHED).forEach(function (s) { own.append("searched", s); });
          remembered(ARTICLES).forEach(function (a) { own.append("articles", a); });
          clear();
          status.textContent = data.message;
          if (data.refer_url) {
            var link = document.createElement("a");
            link.id = "refer-saved-call";
            link.href = data.refer_url + (own.toString() ? "&" + own.toString() : "");
            link.textContent = " 填写转办单";
            status.appendChild(link);
          }
          window.kb.toast(data.message);
        })
        .catch(function () { status.className = "call-status error"; status.textContent = "保存失败，请检查网络后重试"; });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); save(); });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey || event.altKey) && event.code === "KeyS") {
        event.preventDefault();
        save();
      }
    });

    var refer = document.getElementById("refer-button");
    if (refer) {
      refer.addEventListener("click", function (event) {
        event.preventDefault();
        if (box) remember(SEARCHED, box.value);
        var params = new URLSearchParams();
        params.set("question", question.value.trim() || (box ? box.value.trim() : ""));
        params.set("category", document.getElementById("call-category").value);
        params.set("tax_type", document.getElementById("call-tax-type").value);
        remembered(SEARCHED).forEach(function (s) { params.append("searched", s); });
        var looked = remembered(ARTICLES);
        citations.value.split("\n").forEach(function (c) { if (c.trim() && looked.indexOf(c.trim()) < 0) looked.push(c.trim()); });
        looked.forEach(function (a) { params.append("articles", a); });
        /* the caller's identity never goes into the address: it waits in this tab's storage */
        sessionStorage.setItem(CALLER, JSON.stringify({
          name: document.getElementById("call-caller-name").value, contact: document.getElementById("call-caller-phone").value }));
        forget();
        window.location.href = refer.getAttribute("href") + "?" + params.toString();
      });
    }
  }

  /* -- the referral draft ---------------------------------------------------------------------- */
  var draft = document.getElementById("referral-form");
  if (draft) {
    var caller = null;
    try { caller = JSON.parse(sessionStorage.getItem(CALLER) || "null"); } catch (e) { caller = null; }
    sessionStorage.removeItem(CALLER);
    var nameBox = document.getElementById("caller_name"), contactBox = document.getElementById("caller_contact");
    if (caller && !nameBox.value && !contactBox.value) { nameBox.value = caller.name || ""; contactBox.value = caller.contact || ""; }
    (nameBox.value ? contactBox.value ? document.getElementById("department") : contactBox : nameBox).focus();

    var department = document.getElementById("department");
    var boxOf = document.getElementById("suggestion-box");
    var changedByAgent = false;
    department.addEventListener("change", function () { changedByAgent = true; });
    var timer = null;
    function refresh() {
      var params = new URLSearchParams({
        question: document.getElementById("question").value, category: document.getElementById("category").value,
        tax_type: document.getElementById("tax_type").value });
      if (!params.get("question").trim()) return;
      fetch(draft.getAttribute("data-suggest") + "?" + params.toString(), { credentials: "same-origin",
                                                                         headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          boxOf.hidden = false;
          var known = Array.from(department.options).some(function (o) { return o.value === data.department; });
          document.getElementById("suggested-department").textContent = known ? data.department : data.department + "（请选定承办处室）";
          document.getElementById("suggestion-reason").textContent = data.reason;
          var choices = data.choices || [];
          showChoices(choices);
          if (!changedByAgent) department.value = known && !choices.length ? data.department : "";
        });
    }
    /* Below the router's confidence: the two likeliest departments, each with its reason. */
    var choiceBox = document.getElementById("suggestion-choice"), choiceList = document.getElementById("suggestion-choices");
    function showChoices(choices) {
      choiceList.textContent = "";
      choices.forEach(function (choice) {
        var item = document.createElement("li"), button = document.createElement("button"), note = document.createElement("span");
        button.type = "button"; button.className = "choose-department";
        button.setAttribute("data-department", choice.department); button.textContent = choice.label;
        note.className = "note"; note.textContent = " " + choice.reason;
        item.appendChild(button); item.appendChild(note); choiceList.appendChild(item);
      });
      choiceBox.hidden = !choices.length;
    }
    choiceList.addEventListener("click", function (event) {
      var button = event.target.closest(".choose-department");
      if (!button) return;
      department.value = button.getAttribute("data-department");
      changedByAgent = true;
      department.focus();
    });
    ["question", "category", "tax_type"].forEach(function (id) {
      document.getElementById(id).addEventListener(id === "question" ? "input" : "change", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
      });
    });
  }
})();
