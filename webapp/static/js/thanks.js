// The thanks form: the quick choices (5, 10, 20 points) fill the number, and the message counts
// what is left of its characters as the server counts them (a line break is one).
(function () {
  const form = document.querySelector("[data-thanks-form]");
  if (!form) return;
  const points = form.elements.points;
  const quick = form.querySelector("[data-quick]");
  const message = form.elements.message;
  const counter = form.querySelector("[data-counter]");
  const max = Number(message.getAttribute("maxlength"));

  quick.hidden = false; // without this script, the number alone does it
  for (const choice of quick.querySelectorAll("[data-points]")) {
    choice.setAttribute("aria-pressed", String(choice.dataset.points === points.value));
    choice.addEventListener("click", () => {
      points.value = choice.dataset.points;
      for (const other of quick.querySelectorAll("[data-points]")) {
        other.setAttribute("aria-pressed", String(other === choice));
      }
    });
  }
  points.addEventListener("input", () => {
    for (const choice of quick.querySelectorAll("[data-points]")) {
      choice.setAttribute("aria-pressed", String(choice.dataset.points === points.value));
    }
  });

  function count() {
    const left = max - [...message.value.replace(/\r\n/g, "\n")].length;
    counter.textContent = counter.dataset.template.replace("N", String(left));
  }
  message.addEventListener("input", count);
  count();
})();
