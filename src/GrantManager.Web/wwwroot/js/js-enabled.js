// Runs first in the body, before anything is drawn: GOV.UK Frontend's styles for pages with JavaScript.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
