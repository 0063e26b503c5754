// Frontdesk page behaviour. Every form also works without this file. Handlers are delegated
// from the document so they keep working on parts of the page that htmx swaps in.

function showTopicInstructions(select) {
  const data = document.getElementById("topic-instructions");
  const box = document.getElementById("topic-instructions-box");
  if (!data || !box) return;
  const text = JSON.parse(data.textContent)[select.value] || "";
  box.textContent = text;
  box.hidden = !text;
}

function insertCannedResponse(select) {
  const data = document.getElementById("canned-bodies");
  const message = select.form && select.form.elements.message;
  if (!data || !message || !select.value) return;
  const body = JSON.parse(data.textContent)[select.value] || "";
  message.value = message.value ? `${message.value}\n\n${body}` : body;
  message.focus();
}

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-topic-instructions]")) showTopicInstructions(event.target);
  if (event.target.matches("select[name=canned]")) insertCannedResponse(event.target);
});

// Forms that create something: disable the submit button once sent. The server also
// deduplicates; this only spares the user a confusing second click.
document.addEventListener("submit", (event) => {
  if (!event.target.matches("form[data-once]")) return;
  event.target.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
});

document.addEventListener("DOMContentLoaded", () => {
  const topic = document.querySelector("[data-topic-instructions]");
  if (topic) showTopicInstructions(topic);
});
