const form = document.getElementById("login");
const msg = document.getElementById("l-msg");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = {};
  const token = document.getElementById("l-token").value.trim();
  const user = document.getElementById("l-user").value.trim();
  const password = document.getElementById("l-password").value;
  if (token) body.token = token;
  if (user) {
    body.user = user;
    body.password = password;
  }
  const res = await fetch("/login", { method: "POST", headers: { "content-type": "application/json", "x-tickwire": "1" }, body: JSON.stringify(body) });
  if (res.ok) {
    location.href = "/";
    return;
  }
  const err = await res.json().catch(() => ({ message: res.statusText }));
  msg.textContent = err.message;
});
