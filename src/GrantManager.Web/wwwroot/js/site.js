// Every page: GOV.UK Frontend's components, and buttons that print the page (data-app-print).
import { initAll } from '/lib/govuk/govuk-frontend.min.js';

initAll();
document.querySelectorAll('[data-app-print]').forEach(function (button) {
  button.addEventListener('click', function () { window.print(); });
});
