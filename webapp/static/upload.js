/* 本文件取代: a filter box over the checkbox list of documents (the preview page). */
(function () {
  "use strict";
  var filter = document.getElementById("supersedes-filter");
  var list = document.getElementById("supersedes");
  if (!filter || !list) return;
  filter.addEventListener("input", function () {
    var words = filter.value.trim().split(/\s+/).filter(Boolean);
    Array.from(list.querySelectorAll("li")).forEach(function (item) {
      var text = item.textContent;
      var checked = item.querySelector("input").checked;
      item.hidden = !checked && !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });
})();

/* Upload with a progress bar (XHR upload events); the server answers with the preview URL. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var input = document.getElementById("file");
  var box = document.getElementById("progress-box");
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  var error = document.getElementById("upload-error");
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    box.hidden = true;
    form.querySelector("button[type=submit]").disabled = false;
    input.focus();
  }

  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    if (maxBytes && file.size > maxBytes) {
      fail("文件过大（" + (file.size / 1048576).toFixed(1) + " MB），上限为 " + Math.round(maxBytes / 1048576) + " MB。请压缩或拆分后再上传。");
      return;
    }
    error.hidden = true;
    box.hidden = false;
    bar.value = 0;
    text.textContent = "正在上传……";
    form.querySelector("button[type=submit]").disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round(e.loaded * 100 / e.total);
      bar.value = percent;
      text.textContent = percent < 100 ? "已上传 " + percent + "%" : "上传完成，正在解析文件……";
    });
    xhr.addEventListener("load", function () {
      var data = xhr.response || {};
      if (xhr.status === 200 && data.redirect) { window.location.href = data.redirect; return; }
      if (xhr.status === 413) { fail("文件过大，超过了上传上限。请压缩或拆分后再上传。"); return; }
      fail(data.error || data.message || ("上传失败（" + xhr.status + "），请重试。"));
    });
    xhr.addEventListener("error", function () { fail("上传中断，请检查网络或文件大小后重试。"); });
    xhr.send(new FormData(form));
  });
})();
