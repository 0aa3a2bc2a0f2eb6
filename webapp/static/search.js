/* The search page: results update while typing (debounced), on Enter and on filter changes;
   arrow keys move between the answer card (first, when shown) and the results; C or Ctrl+Enter
   copies the selected one: the card's answer with its citations, or an article's legal basis. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var box = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("result-status");
  if (!form || !box || !list) return;
  var endpoint = form.getAttribute("data-json");
  var timer = null;
  var serial = 0;
  var lastUrl = null;

  function params() {
    var data = new URLSearchParams(new FormData(form));
    Array.from(data.keys()).forEach(function (key) { if (!data.get(key)) data.delete(key); });
    return data;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function renderResult(r) {
    var item = el("li", "result" + (r.outdated ? " outdated" : ""));
    item.tabIndex = -1;
    item.setAttribute("data-copy", r.copy_text);
    item.setAttribute("data-citation", r.citation);
    item.setAttribute("data-answer", r.answer_text || "");
    item.setAttribute("data-url", r.url || "");
    item.setAttribute("data-unit-id", r.unit_id || "");
    var head = el("div", "result-head");
    var link = el("a", "citation", r.citation);
    link.href = r.url || "#";
    head.appendChild(link);
    head.appendChild(el("span", "badge " + r.status_class, r.status));
    if (r.outdated) head.appendChild(el("span", "badge old", "旧版本"));
    item.appendChild(head);
    if (r.superseded_by) item.appendChild(el("p", "superseded", "已被《" + r.superseded_by + "》取代"));
    var snippet = el("p", "snippet");
    snippet.innerHTML = r.snippet_html; /* cleaned on the server: only <b> and <mark> */
    item.appendChild(snippet);
    var foot = el("div", "result-foot");
    if (r.chapter) foot.appendChild(el("span", "chapter", r.chapter));
    (r.tax_types || []).forEach(function (t) { foot.appendChild(el("span", "tag", t)); });
    var copy = el("button", "copy", "复制依据");
    copy.type = "button";
    foot.appendChild(copy);
    item.appendChild(foot);
    return item;
  }

  var suggestion = document.getElementById("suggestion");
  var shownQuery = box.value.trim(); /* the query whose results are listed */

  /* Copying a result's legal basis after a search is a relevance judgement: the server keeps the pair. */
  function reportCopy(element) {
    var item = element && element.closest ? element.closest("#results .result") : null;
    var unitId = item ? item.getAttribute("data-unit-id") : "";
    var slot = document.getElementById("faq-slot");
    if (!unitId || !shownQuery || !form.getAttribute("data-copied")) return;
    var body = new FormData();
    body.append("q", shownQuery);
    body.append("unit_id", unitId);
    if (slot && slot.getAttribute("data-csrf")) body.append("csrf_token", slot.getAttribute("data-csrf"));
    fetch(form.getAttribute("data-copied"), { method: "POST", body: body, credentials: "same-origin",
                                               headers: { "Accept": "application/json" } }).catch(function () {});
  }
  if (window.kb && window.kb.copyFrom) {
    var copyFrom = window.kb.copyFrom;
    window.kb.copyFrom = function (element) { copyFrom(element); reportCopy(element); };
  }
  /* 复制依据 by key goes through window.kb.copyFrom; by click through app.js's own listener */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#results button.copy") : null;
    if (button) reportCopy(button);
  });

  function show(data, query) {
    shownQuery = query;
    list.textContent = "";
    if (suggestion) {
      suggestion.hidden = !data.suggestion;
      if (data.suggestion) {
        var link = suggestion.querySelector("a");
        link.textContent = data.suggestion;
        link.href = form.getAttribute("action") + "?q=" + encodeURIComponent(data.suggestion);
      }
    }
    var articles = (data.results || []).filter(function (r) { return r.type !== "faq"; });
    var faq = (data.results || []).filter(function (r) { return r.type === "faq"; })[0] || null;
    if (window.kbFaq) window.kbFaq.show(faq, query); /* the answer card: faq.js */
    articles.forEach(function (r) { list.appendChild(renderResult(r)); });
    var low = !!query && !data.error && data.confidence === "low";
    list.classList.toggle("unsure", low);
    if (data.error) status.textContent = data.error;
    else if (!query) status.textContent = "";
    else if (articles.length && low) status.textContent = "以下 " + articles.length + " 条仅供参考";
    else if (articles.length) status.textContent = "找到 " + articles.length + " 条结果";
    else status.textContent = "没有找到与“" + query + "”相关的条文，请换个说法或减少筛选条件";
    showNotices(data.notices || []);
    if (lowBox) {
      lowBox.hidden = !low;
      var refer = document.getElementById("low-refer");
      if (refer) {
        refer.href = refer.getAttribute("data-href") + "?" + new URLSearchParams({ question: query, searched: query }).toString();
      }
    }
  }

  var lowBox = document.getElementById("low-confidence");
  var noticeBox = document.getElementById("notices");

  function showNotices(notices) {
    if (!noticeBox) return;
    noticeBox.textContent = "";
    notices.forEach(function (text) {
      var p = el("p", "notice", text);
      p.setAttribute("role", "alert");
      noticeBox.appendChild(p);
    });
  }

  function run(focusFirst) {
    var query = box.value.trim();
    var data = params();
    var url = "?" + data.toString();
    history.replaceState(null, "", form.getAttribute("action") + (data.toString() ? url : ""));
    if (focusFirst && query) url += "&log=1"; /* submitted: written to the query log */
    if (!query) { show({ results: [] }, ""); lastUrl = null; return Promise.resolve(); }
    if (url === lastUrl && !focusFirst) return Promise.resolve();
    lastUrl = url;
    var mine = ++serial;
    form.setAttribute("aria-busy", "true");
    return fetch(endpoint + url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
        return response.json();
      })
      .then(function (data) {
        if (!data || mine !== serial) return;
        show(data, query);
        if (focusFirst) select(0);
      })
      .catch(function () { if (mine === serial) status.textContent = "检索失败，请检查网络后重试"; })
      .finally(function () { if (mine === serial) form.removeAttribute("aria-busy"); });
  }

  /* the keyboard's targets: the answer card first when one is shown, then the articles */
  var slot = document.getElementById("faq-slot");
  function items() {
    var card = slot ? slot.querySelector(".faq-card") : null;
    var articles = Array.from(list.querySelectorAll(".result"));
    return card ? [card].concat(articles) : articles;
  }

  function copy(item) {
    window.kb.copyFrom(item);
    if (item.classList.contains("faq-card") && window.kbFaq) window.kbFaq.copied(item);
  }

  function select(index) {
    var all = items();
    if (!all.length) return;
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (item, i) { item.classList.toggle("selected", i === index); });
    all[index].focus();
  }

  function current() {
    var active = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest(".result, .faq-card") : null;
    return active || items().filter(function (item) { return item.classList.contains("selected"); })[0] || null;
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(false); }, 250);
  });
  form.addEventListener("change", function (event) { if (event.target !== box) run(false); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(true);
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); select(0); }
    else if (event.key === "Enter" && event.ctrlKey) {
      event.preventDefault();
      var first = items()[0];
      if (first) copy(first);
    }
  });

  function onKey(event) {
    var item = current();
    if (!item || event.target.tagName === "BUTTON" && event.key === "Enter") return;
    var index = items().indexOf(item);
    if (event.key === "ArrowDown") { event.preventDefault(); select(index + 1); }
    else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index <= 0) { box.focus(); } else { select(index - 1); }
    } else if ((event.key === "c" || event.key === "C") && !event.ctrlKey && !event.metaKey && !event.altKey
               || event.key === "Enter" && event.ctrlKey) {
      event.preventDefault();
      copy(item);
    } else if (event.key === "Enter" && item.getAttribute("data-url") && event.target === item) {
      window.location.href = item.getAttribute("data-url");
    } else if (event.key === "Escape") {
      box.focus();
    }
  }
  function onFocus(event) {
    var item = event.target.closest(".result, .faq-card");
    if (!item) return;
    items().forEach(function (other) { other.classList.toggle("selected", other === item); });
  }
  [list, slot].forEach(function (holder) {
    if (!holder) return;
    holder.addEventListener("keydown", onKey);
    holder.addEventListener("focusin", onFocus);
  });

  if (box.value) { box.setSelectionRange(box.value.length, box.value.length); }
  lastUrl = box.value.trim() ? "?" + params().toString() : null;
})();
