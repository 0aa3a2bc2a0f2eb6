// Offline search of the exported portal (flask portal-export): ranks window.PORTAL_DATA by how many of
// the question's words and character pairs each record holds. No server; works from file://.
(function () {
  "use strict";
  var form = document.getElementById("portal-search");
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("result-status");
  if (!form || !input || !list || !window.PORTAL_DATA) { return; }

  function pieces(text) {
    var parts = [];
    text.split(/\s+/).forEach(function (word) {
      if (!word) { return; }
      if (word.length <= 2) { parts.push(word); return; }
      for (var i = 0; i + 1 < word.length; i++) { parts.push(word.slice(i, i + 2)); }
    });
    return parts;
  }

  function run(query) {
    var parts = pieces(query.trim().toLowerCase());
    list.textContent = "";
    if (!parts.length) { status.textContent = ""; return; }
    var scored = [];
    window.PORTAL_DATA.forEach(function (r) {
      var title = r.t.toLowerCase(), text = r.x.toLowerCase(), score = 0;
      parts.forEach(function (p) { if (title.indexOf(p) >= 0) { score += 2; } else if (text.indexOf(p) >= 0) { score += 1; } });
      if (score > 0) { scored.push([score / (parts.length * 2), r]); }
    });
    scored.sort(function (a, b) { return b[0] - a[0]; });
    scored = scored.filter(function (s) { return s[0] >= 0.5; }).slice(0, 20);
    scored.forEach(function (s) {
      var item = document.createElement("li"), heading = document.createElement("h2"), link = document.createElement("a");
      var snippet = document.createElement("p");
      item.className = "result";
      link.href = s[1].u;
      link.textContent = s[1].t;
      snippet.className = "snippet";
      snippet.textContent = s[1].k + " · " + s[1].x.slice(0, 120);
      heading.appendChild(link);
      item.appendChild(heading);
      item.appendChild(snippet);
      list.appendChild(item);
    });
    status.textContent = scored.length ? "找到 " + scored.length + " 条结果" : "没有找到与“" + query + "”相关的内容，请换个说法。";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; run(initial); }
}());
