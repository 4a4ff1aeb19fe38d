// Draws each workflow diagram from its hidden Mermaid source; the list of stages beside it says the same in words.
// window.appDrawDiagrams(root) draws those inside root again, for a diagram replaced after the page loaded.
(function () {
  'use strict';
  if (!window.mermaid) return;
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
  var drawn = 0;
  function draw(root) {
    root.querySelectorAll('pre.mermaid[hidden]').forEach(function (pre) {
      mermaid.render('app-diagram-' + (drawn++), pre.textContent).then(function (result) {
        pre.innerHTML = result.svg;
        pre.hidden = false;
      }, function () { /* A source Mermaid cannot draw stays hidden; the list says the same. */ });
    });
  }
  window.appDrawDiagrams = draw;
  draw(document);
})();
