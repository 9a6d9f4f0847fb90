// Northstar's small progressive enhancements: select-all checkboxes, idea search, live job progress and the
// analytics insight builder (switch the type's fields in place, add funnel steps, search event names).

// An idea picker lists the newest ideas; its search box refills it with the ideas whose title or description
// match what was typed (GET /api/v1/ideas?q=), so any of thousands of ideas can be chosen.
const searchIdeas = (input) => {
  const select = input.form.querySelector(`select[name="${input.dataset.ideaSearch}"]`);
  if (!select) return;
  const placeholder = select.options[0].cloneNode(true);
  const newest = Array.from(select.options).slice(1).map((option) => option.cloneNode(true));
  const fill = (options) => {
    select.replaceChildren(placeholder.cloneNode(true), ...options);
    if (options.length === 1) select.value = options[0].value;
  };
  let timer = null;
  let asked = "";
  const search = async () => {
    const term = input.value.trim();
    if (term === asked) return;
    asked = term;
    if (term.length < 2) { fill(newest.map((option) => option.cloneNode(true))); return; }
    const query = new URLSearchParams({ q: term, per_page: "30", sort: "title" });
    const response = await fetch(`/api/v1/ideas?${query}`, { credentials: "same-origin" });
    if (!response.ok || term !== asked) return;
    const found = (await response.json()).items.map((idea) => new Option(idea.title, idea.id));
    if (!found.length) {
      const none = new Option(`no idea matches "${term}"`, "");
      none.disabled = true;
      found.push(none);
    }
    fill(found);
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); search(); }
  });
};

// The insight builder shows one type's fields. Without JavaScript the type chooser reloads the page; with it the
// chosen type's fieldset is shown (and the others disabled, so they are not sent), keeping values typed before.
const insightBuilder = (chooser) => {
  const builder = document.getElementById("insight-builder");
  const select = chooser.querySelector("select[name=kind]");
  if (!builder || !select) return;
  chooser.querySelectorAll("[data-no-js]").forEach((element) => { element.hidden = true; });
  chooser.addEventListener("submit", (event) => event.preventDefault());
  select.addEventListener("change", () => {
    const before = builder.querySelector("fieldset[data-kind]:not([disabled])");
    const after = builder.querySelector(`fieldset[data-kind="${select.value}"]`);
    if (!after || after === before) return;
    if (before) {
      after.querySelectorAll("input[name]").forEach((field) => {
        const same = before.querySelector(`input[name="${field.name}"]`);
        if (same && !field.value && same.type !== "checkbox") field.value = same.value;
      });
      before.hidden = true;
      before.disabled = true;
    }
    after.hidden = false;
    after.disabled = false;
    builder.querySelector("[data-kind-value]").value = select.value;
  });
  builder.querySelectorAll("[data-add-step]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const list = button.closest("[data-steps]").querySelector("ol");
      const last = list.lastElementChild;
      const next = last.cloneNode(true);
      const number = list.children.length + 1;
      const input = next.querySelector("input");
      input.id = `funnel-steps-${number}`;
      input.value = "";
      input.placeholder = `event of step ${number}`;
      next.querySelector("label").htmlFor = input.id;
      next.querySelector("label").textContent = `Step ${number}`;
      list.appendChild(next);
      searchEvents(input);
      input.focus();
    });
  });
};

// Event pickers list the most sent events; when there are more than the page holds, typing asks the server for
// the names that contain what was typed (GET /api/v1/analytics/events?q=) and refills the list.
const searchEvents = (input) => {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list || list.dataset.truncated !== "true") return;
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const term = input.value.trim();
      if (term.length < 2) return;
      const query = new URLSearchParams({ q: term, limit: "50" });
      const response = await fetch(`/api/v1/analytics/events?${query}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const found = await response.json();
      list.replaceChildren(...found.map((item) => {
        const option = new Option(item.name, item.name);
        option.label = `${item.count.toLocaleString()} events`;
        return option;
      }));
    }, 250);
  });
};

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-kind-chooser]").forEach(insightBuilder);
  document.querySelectorAll("input[data-event-search]").forEach(searchEvents);
  document.querySelectorAll("input[data-idea-search]").forEach(searchIdeas);
  // "use the suggestion" buttons: put a suggested value into a field of their form, for the person to save
  document.querySelectorAll("button[data-fill]").forEach((button) => {
    button.addEventListener("click", () => {
      const field = button.form && button.form.elements.namedItem(button.dataset.fill);
      if (field) { field.value = button.dataset.value; field.focus(); }
    });
  });
  document.querySelectorAll("input[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach((item) => { item.checked = box.checked; });
    });
  });
  document.querySelectorAll(".job[data-job-id]").forEach((element) => {
    const finished = ["succeeded", "failed", "cancelled"];
    if (finished.includes(element.dataset.status)) return;
    const poll = async () => {
      const response = await fetch(`/api/v1/jobs/${element.dataset.jobId}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const job = await response.json();
      const bar = element.querySelector("progress");
      if (bar && job.fraction !== null) bar.value = job.fraction;
      element.querySelector(".job-status").textContent = job.status;
      element.querySelector(".job-message").textContent = job.message;
      element.querySelector(".job-count").textContent = job.total ? `${job.done} / ${job.total}` : `${job.done}`;
      if (finished.includes(job.status)) { window.location.reload(); } else { setTimeout(poll, 1000); }
    };
    setTimeout(poll, 500);
  });
});
