/* Shared behaviour: copying text (clipboard API with a textarea fallback), the toast,
   "/" to focus the search box, and keys on the article page. No dependencies. */
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    var previous = document.activeElement;
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    if (previous && previous.focus) previous.focus();
    return ok;
  }

  function toast(message) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 2500);
  }

  function copyText(text, label) {
    var done = function () { toast("已复制：" + (label || text.split("\n")[0])); };
    var failed = function () {
      if (fallbackCopy(text)) done(); else toast("复制失败，请手动选择文字复制");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  }

  function copyFrom(element) {
    var holder = element.closest("[data-copy]");
    if (!holder) return;
    var text = holder.getAttribute("data-copy");
    copyText(text, holder.getAttribute("data-citation") || text.split("\n")[0]);
  }

  window.kb = { copyText: copyText, copyFrom: copyFrom, toast: toast };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy, button.phrase");
    if (button) {
      event.preventDefault();
      copyFrom(button);
    }
  });

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey) return;
    if (event.key === "/" && !typing(event.target)) {
      var box = document.getElementById("q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
      return;
    }
    var unit = document.getElementById("unit");
    if (!unit || typing(event.target) || event.ctrlKey) return;
    if (event.key === "c" || event.key === "C") {
      event.preventDefault();
      copyFrom(unit);
    } else if (event.key === "ArrowLeft" && document.getElementById("prev-link")) {
      window.location.href = document.getElementById("prev-link").href;
    } else if (event.key === "ArrowRight" && document.getElementById("next-link")) {
      window.location.href = document.getElementById("next-link").href;
    }
  });
})();
