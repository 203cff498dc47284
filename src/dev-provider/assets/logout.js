// Auth0 ends the session without a confirmation page when the app sends id_token_hint;
// the development provider mimics that by pressing its own confirmation button.
document.querySelector('[data-auto-submit]')?.click();
