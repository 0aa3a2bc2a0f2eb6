/* FAQ in the browser.
   Search page: the answer card above the articles (window.kbFaq.show, called by search.js), its
   usage counts (shown / copied / helpful / not helpful) and the 未解决 button.
   Editor: the Markdown preview and the legal-basis picker (search, click to add a citation). */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function toast(message) { if (window.kb) window.kb.toast(message); }

  function post(url, fields, token) {
    var body = new FormData();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    if (token) body.append("csrf_token", token);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); });
  }

  /* -- search page ------------------------------------------------------------------------- */
  var slot = document.getElementById("faq-slot");
  var shownId = null;

  function token() { return slot ? slot.getAttribute("data-csrf") : null; }

  function countShown(card) {
    var id = card ? card.getAttribute("data-faq-id") : null;
    if (id && id !== shownId) post(card.getAttribute("data-usage"), { event: "shown" }, token());
    shownId = id;
  }

  function renderCard(faq) {
    var card = el("article", "faq-card" + (faq.needs_review ? " flagged" : ""));
    card.id = "faq-card";
    card.tabIndex = -1;
    card.setAttribute("data-faq-id", faq.faq_id);
    card.setAttribute("data-usage", faq.usage_url);
    card.setAttribute("data-copy", faq.copy_text);
    card.setAttribute("data-citation", faq.question);
    card.setAttribute("data-answer", faq.answer_text || "");
    card.setAttribute("data-basis", faq.basis || "");
    card.appendChild(el("p", "faq-kicker", "标准答复"));
    card.appendChild(el("h2", "faq-question", faq.question));
    if (faq.warning) {
      var warning = el("p", "faq-warning", "需复核：" + faq.warning);
      warning.setAttribute("role", "alert");
      card.appendChild(warning);
    }
    var answer = el("div", "faq-answer");
    answer.innerHTML = faq.answer_html; /* sanitised on the server (kb.faq.render_answer) */
    card.appendChild(answer);
    card.appendChild(el("p", "faq-basis-title", "法律依据"));
    var basis = el("ul", "faq-citations");
    (faq.citations || []).forEach(function (c) {
      var item = el("li");
      if (c.url) { var link = el("a", null, c.citation); link.href = c.url; item.appendChild(link); }
      else item.appendChild(document.createTextNode(c.citation));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "badge " + c.status_class, c.status));
      basis.appendChild(item);
    });
    card.appendChild(basis);
    var actions = el("div", "faq-actions");
    var copy = el("button", "copy faq-copy", "复制答复");
    copy.type = "button";
    actions.appendChild(copy);
    [["helpful", "有帮助"], ["not_helpful", "没帮助"]].forEach(function (pair) {
      var button = el("button", "faq-rate", pair[1]);
      button.type = "button";
      button.setAttribute("data-event", pair[0]);
      actions.appendChild(button);
    });
    card.appendChild(actions);
    return card;
  }

  var unresolved = document.getElementById("unresolved");

  window.kbFaq = {
    copied: function (card) { post(card.getAttribute("data-usage"), { event: "copied" }, token()); },
    show: function (faq, query) {
      if (!slot) return;
      slot.textContent = "";
      if (faq) slot.appendChild(renderCard(faq));
      countShown(faq ? slot.querySelector(".faq-card") : null);
      if (unresolved) { unresolved.hidden = !query; unresolved.disabled = false; }
    }
  };

  if (slot) {
    countShown(slot.querySelector(".faq-card"));
    slot.addEventListener("click", function (event) {
      var card = event.target.closest(".faq-card");
      if (!card) return;
      var url = card.getAttribute("data-usage");
      if (event.target.closest(".faq-copy")) {
        post(url, { event: "copied" }, token());
      } else if (event.target.closest(".faq-rate")) {
        var button = event.target.closest(".faq-rate");
        post(url, { event: button.getAttribute("data-event") }, token()).then(function (result) {
          if (!result.ok) { toast("记录失败，请重试"); return; }
          card.querySelectorAll(".faq-rate").forEach(function (b) { b.disabled = true; });
          button.classList.add("chosen");
          toast("感谢评价，已记录");
        });
      }
    });
  }

  if (unresolved) {
    unresolved.addEventListener("click", function () {
      var box = document.getElementById("q");
      var query = box ? box.value.trim() : "";
      if (!query) return;
      var count = document.querySelectorAll("#results .result").length;
      post(unresolved.getAttribute("data-url"), { q: query, count: count }, token()).then(function (result) {
        toast(result.ok ? result.data.message : (result.data.error || "记录失败，请重试"));
        if (result.ok) unresolved.disabled = true;
      }).catch(function () { toast("记录失败，请检查网络后重试"); });
    });
  }

  /* -- editor ------------------------------------------------------------------------------ */
  var form = document.getElementById("faq-form");
  if (!form) return;
  var formToken = form.querySelector("input[name=csrf_token]").value;
  var answer = document.getElementById("answer");
  var preview = document.getElementById("answer-preview");
  var timer = null;
  answer.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      post(form.getAttribute("data-preview"), { answer: answer.value }, formToken).then(function (result) {
        if (result.ok) preview.innerHTML = result.data.html; /* sanitised on the server */
      });
    }, 300);
  });

  var picker = document.getElementById("picker-form");
  var pickerBox = document.getElementById("picker-q");
  var pickerList = document.getElementById("picker-results");
  var pickerStatus = document.getElementById("picker-status");
  var citations = document.getElementById("citations");

  function addCitation(text) {
    var lines = citations.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    if (lines.indexOf(text) === -1) lines.push(text);
    citations.value = lines.join("\n");
    toast("已添加依据：" + text);
  }

  picker.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = pickerBox.value.trim();
    if (!query) return;
    pickerStatus.textContent = "检索中……";
    fetch(picker.getAttribute("data-json") + "?q=" + encodeURIComponent(query),
          { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        pickerList.textContent = "";
        var articles = (data.results || []).filter(function (r) { return r.type !== "faq"; });
        pickerStatus.textContent = articles.length ? "点击“添加”引用该条文" : "没有找到条文，请换个说法";
        articles.slice(0, 10).forEach(function (r) {
          var item = el("li", "picker-result");
          var head = el("div", "picker-head");
          var add = el("button", "add-citation", "添加");
          add.type = "button";
          add.setAttribute("data-citation", r.citation);
          head.appendChild(add);
          head.appendChild(el("strong", null, r.citation));
          head.appendChild(el("span", "badge " + r.status_class, r.status));
          item.appendChild(head);
          var snippet = el("p", "snippet");
          snippet.innerHTML = r.snippet_html; /* cleaned on the server: only <b> and <mark> */
          item.appendChild(snippet);
          pickerList.appendChild(item);
        });
      })
      .catch(function () { pickerStatus.textContent = "检索失败，请重试"; });
  });

  pickerList.addEventListener("click", function (event) {
    var add = event.target.closest(".add-citation");
    if (add) addCitation(add.getAttribute("data-citation"));
  });
})();
