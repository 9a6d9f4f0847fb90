// Northstar's small progressive enhancements: select-all checkboxes and live job progress.
document.addEventListener("DOMContentLoaded", () => {
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
