// Draws each workflow diagram from its hidden Mermaid source; the list of stages beside it says the same in words.
(function () {
  'use strict';
  if (!window.mermaid) return;
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
  document.querySelectorAll('pre.mermaid[hidden]').forEach(function (pre, i) {
    mermaid.render('app-diagram-' + i, pre.textContent).then(function (drawn) {
      pre.innerHTML = drawn.svg;
      pre.hidden = false;
    });
  });
})();
