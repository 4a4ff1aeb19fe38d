// Signed-in pages: the GOV.UK timeout warning, and keeping what someone typed when their
// sign-in ends before a form is sent. Without JavaScript none of this runs and nothing breaks:
// the sign-in simply ends after the idle time and the sign-in page brings them back.
(function () {
  'use strict';

  var KEPT = 'grantmanager-kept-form';
  var EXPIRES = 'grantmanager-session-expires';

  function storage(kind) {
    try { var s = window[kind]; s.setItem('grantmanager-test', '1'); s.removeItem('grantmanager-test'); return s; } catch (e) { return null; }
  }
  var session = storage('sessionStorage');
  var local = storage('localStorage');

  // ---- Keeping a form's answers -------------------------------------------------------------

  function isKeepable(form) {
    if (!form || (form.getAttribute('method') || '').toLowerCase() !== 'post') return false;
    if (form.hasAttribute('data-app-no-keep')) return false;
    if (form.querySelector('input[type=password]')) return false;
    var action = form.getAttribute('action') || '';
    return action.indexOf('/Account/') === -1;
  }

  function keepableForms() {
    return Array.prototype.filter.call(document.querySelectorAll('main form'), isKeepable);
  }

  function fieldsOf(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      var type = (el.type || '').toLowerCase();
      if (type === 'hidden' || type === 'password' || type === 'file' || type === 'submit' || type === 'button') return;
      if ((type === 'radio' || type === 'checkbox') && !el.checked) return;
      fields.push([el.name, el.value]);
    });
    return fields;
  }

  function keep(form, interrupted) {
    if (!session) return;
    var forms = keepableForms();
    session.setItem(KEPT, JSON.stringify({
      path: location.pathname, index: forms.indexOf(form), fields: fieldsOf(form),
      interrupted: !!interrupted, at: Date.now()
    }));
  }

  function kept() {
    try { return session && JSON.parse(session.getItem(KEPT) || 'null'); } catch (e) { return null; }
  }

  function restore(form, fields) {
    var values = {};
    fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values)) return;
      var type = (el.type || '').toLowerCase();
      if (type === 'hidden' || type === 'password' || type === 'file' || type === 'submit' || type === 'button') return;
      if (type === 'radio' || type === 'checkbox') el.checked = values[el.name].indexOf(el.value) !== -1;
      else el.value = values[el.name].shift() || '';
    });
  }

  function banner(html, id) {
    var main = document.getElementById('main-content');
    if (!main) return;
    var div = document.createElement('div');
    div.className = 'govuk-notification-banner';
    div.setAttribute('role', 'region');
    div.setAttribute('aria-labelledby', id + '-title');
    div.id = id;
    div.innerHTML = '<div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="' + id +
      '-title">Important</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">' +
      html + '</p></div>';
    main.insertBefore(div, main.firstChild);
  }

  document.addEventListener('submit', function (e) {
    if (isKeepable(e.target)) keep(e.target, false);
  }, true);

  var saved = kept();
  if (saved) {
    if (location.pathname.toLowerCase() === '/account/login') {
      // The post did not arrive: it was sent to sign in. Keep it for the page they come back to.
      saved.interrupted = true;
      session.setItem(KEPT, JSON.stringify(saved));
      banner('You were signed out before your answers were sent. We have kept them in this browser: sign in again and they will be back on the page, ready to send.', 'kept-answers');
    } else {
      session.removeItem(KEPT);
      var forms = keepableForms();
      var form = forms[saved.index] || forms[0];
      if (saved.interrupted && saved.path === location.pathname && form) {
        restore(form, saved.fields);
        banner('We have put back what you typed before you were signed out. Check it, then send it again.', 'restored-answers');
      }
    }
  }

  // ---- The timeout warning -------------------------------------------------------------------

  var dialog = document.getElementById('session-timeout');
  if (!dialog || typeof dialog.showModal !== 'function' || !window.fetch) return;

  var timeout = parseInt(dialog.getAttribute('data-timeout'), 10) * 1000;
  var warning = parseInt(dialog.getAttribute('data-warning'), 10) * 1000;
  var countdown = dialog.querySelector('[data-countdown]');
  var spoken = dialog.querySelector('[data-countdown-spoken]');
  var stay = dialog.querySelector('[data-stay]');
  var token = document.querySelector('input[name=__RequestVerificationToken]');
  var lastSpoken = '';

  function setExpiry(at) { if (local) local.setItem(EXPIRES, String(at)); else expires = at; }
  function expiry() { return local ? parseInt(local.getItem(EXPIRES) || '0', 10) : expires; }
  var expires = Date.now() + timeout;
  setExpiry(expires);

  function describe(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds > 60) { var m = Math.ceil(seconds / 60); return m + ' minutes'; }
    if (seconds === 60) return '1 minute';
    return seconds + (seconds === 1 ? ' second' : ' seconds');
  }

  // Screen readers hear the time left in steps (each minute, then every 20 seconds), not every second.
  function speak(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var text = seconds > 60 ? describe(ms) : describe(Math.ceil(seconds / 20) * 20000);
    if (text !== lastSpoken) { lastSpoken = text; spoken.textContent = 'You will be signed out in ' + text + '.'; }
  }

  function open() {
    if (dialog.open) return;
    lastSpoken = '';
    dialog.showModal();
    stay.focus();
  }

  function signOut() {
    clearInterval(timer);
    var form = keepableForms()[0];
    if (form && fieldsOf(form).length) keep(form, true);
    var body = new FormData();
    if (token) body.append('__RequestVerificationToken', token.value);
    var back = '/Account/Login?timedOut=true&ReturnUrl=' + encodeURIComponent(location.pathname + location.search);
    fetch('/Account/Logout', { method: 'POST', body: body, credentials: 'same-origin', redirect: 'manual' })
      .catch(function () { })
      .then(function () { location.href = back; });
  }

  function staySignedIn() {
    var body = new FormData();
    if (token) body.append('__RequestVerificationToken', token.value);
    fetch('/Account/KeepAlive', { method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-Requested-With': 'XMLHttpRequest' } })
      .then(function (response) {
        if (!response.ok) throw new Error('signed out');
        setExpiry(Date.now() + timeout);
        if (dialog.open) dialog.close();
      })
      .catch(function () { signOut(); });
  }

  function tick() {
    var left = expiry() - Date.now();
    if (left <= 0) { signOut(); return; }
    if (left <= warning) {
      open();
      countdown.textContent = describe(left);
      speak(left);
    } else if (dialog.open) {
      dialog.close(); // another tab kept the sign-in going
    }
  }

  stay.addEventListener('click', staySignedIn);
  // Escape means "not now": stay signed in, as the GOV.UK pattern does.
  dialog.addEventListener('cancel', function (e) { e.preventDefault(); staySignedIn(); });
  var timer = setInterval(tick, 1000);
})();
