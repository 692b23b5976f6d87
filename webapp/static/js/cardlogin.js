// The login card's page: the card's secret is in the address after "#", which browsers never
// send; the form carries it to the server when the member taps the button.
(() => {
  const form = document.querySelector("[data-card-login]");
  if (!form) return;
  form.elements.token.value = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, "", location.pathname); // the secret leaves the address bar
})();
