// The workflow editor: each condition is checked as it is typed, with the loader's own message beside it (read out
// by screen readers), and the draft's diagram is drawn again after each change. Both post the whole draft, as the
// buttons do; without this script, Check reports the same.
(function () {
  'use strict';
  var form = document.getElementById('draft-form');
  if (!form || !window.fetch || !window.FormData) return;
  var action = form.getAttribute('action');

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function post(handler, query) {
    return fetch(action + '?handler=' + handler + (query || ''), { method: 'POST', body: new FormData(form), credentials: 'same-origin' })
      .then(function (response) { return response.ok && !response.redirected ? response : null; });
  }

  // Enter in a one-line field checks the draft, keeping what was typed; in the new stage's name it adds the stage.
  var check = document.getElementById('check-draft');
  var addStage = document.getElementById('add-stage-button');
  form.addEventListener('keydown', function (event) {
    var field = event.target;
    if (event.key !== 'Enter' || field.tagName !== 'INPUT' || field.type === 'checkbox' || field.type === 'radio') return;
    var button = field.id === 'NewStage' ? addStage : check;
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  form.querySelectorAll('input[data-app-condition]:not([data-app-condition=""])').forEach(function (input) {
    var live = document.getElementById(input.id + '-live');
    var group = input.closest('.govuk-form-group');
    var asked = 0;
    function show(message) {
      var earlier = document.getElementById(input.id + '-error');
      if (earlier) {
        earlier.parentNode.removeChild(earlier);
        input.setAttribute('aria-describedby', input.getAttribute('aria-describedby').split(' ').filter(function (id) { return id !== earlier.id; }).join(' '));
      }
      live.textContent = '';
      group.classList.toggle('govuk-form-group--error', !!message);
      input.classList.toggle('govuk-input--error', !!message);
      if (!message) return;
      var p = document.createElement('p');
      p.className = 'govuk-error-message';
      var hidden = document.createElement('span');
      hidden.className = 'govuk-visually-hidden';
      hidden.textContent = 'Error:';
      p.appendChild(hidden);
      p.appendChild(document.createTextNode(' ' + message));
      live.appendChild(p);
    }
    input.addEventListener('input', debounce(function () {
      var mine = ++asked;
      post('CheckCondition', '&path=' + encodeURIComponent(input.getAttribute('data-app-condition')))
        .then(function (response) { return response ? response.json() : null; })
        .then(function (answer) { if (answer && mine === asked) show(answer.message); })
        .catch(function () { /* Offline or signed out: Check still reports it. */ });
    }, 400));
  });

  var diagram = document.getElementById('draft-diagram');
  if (!diagram) return;
  var drawn = 0;
  var redraw = debounce(function () {
    var mine = ++drawn;
    post('Preview')
      .then(function (response) { return response ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine !== drawn) return;
        diagram.innerHTML = html;
        if (window.appDrawDiagrams) window.appDrawDiagrams(diagram);
      })
      .catch(function () { /* The diagram shown stays until the next change. */ });
  }, 700);
  form.addEventListener('input', redraw);
  form.addEventListener('change', redraw);
})();
