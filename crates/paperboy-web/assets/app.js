// paperboy: upvotes without a page load. Every form works without this script;
// it only spares the reload (and falls back to the form when the API says no).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.votes")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const vote = form.querySelector("input[name=vote]");
  const csrf = form.querySelector("input[name=csrf]").value;
  const id = form.getAttribute("action").replace(/^\/papers\//, "").replace(/\/upvote$/, "");
  const adding = vote.value !== "remove";
  button.disabled = true;
  try {
    const response = await fetch(`/api/papers/${id}/upvote`, {
      method: adding ? "POST" : "DELETE",
      headers: { "X-CSRF-Token": csrf },
      credentials: "same-origin",
    });
    if (!response.ok) {
      form.submit();
      return;
    }
    const answer = await response.json();
    button.setAttribute("aria-pressed", String(answer.upvoted));
    button.lastChild.textContent = " " + answer.upvotes;
    button.title = answer.upvoted ? "Remove your upvote" : "Upvote";
    vote.value = answer.upvoted ? "remove" : "add";
  } catch (error) {
    form.submit();
  } finally {
    button.disabled = false;
  }
});
