// The query workbench: turn the SPARQL textarea into a CodeMirror editor (the textarea stays the
// form field, so the page works without this script) that runs the query on Ctrl/Cmd-Enter.
(function () {
  "use strict";
  var textarea = document.getElementById("query");
  if (!textarea || !window.QiEditor) return;
  var data = document.getElementById("completions");
  var completions = data ? JSON.parse(data.textContent) : [];
  window.qiEditor = window.QiEditor.fromTextArea(textarea, {
    completions: completions,
    onRun: function () { textarea.form.requestSubmit(); },
  });
})();
