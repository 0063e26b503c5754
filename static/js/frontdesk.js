// Frontdesk page behaviour. Every form also works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // New-ticket form: show the chosen help topic's instructions.
  const topic = document.querySelector("[data-topic-instructions]");
  if (topic) {
    const instructions = JSON.parse(document.getElementById("topic-instructions").textContent);
    const box = document.getElementById("topic-instructions-box");
    const show = () => {
      const text = instructions[topic.value] || "";
      box.textContent = text;
      box.hidden = !text;
    };
    topic.addEventListener("change", show);
    show();
  }
  // Forms that create something: disable the submit button once sent (the server also
  // deduplicates, this only spares the user a confusing second click).
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
    });
  });
});
