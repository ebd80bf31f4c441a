// Drives the local host for assessment-page.sh. Steps:
//   node assessment-page.mjs twilio <port> <texts.jsonl>             a Twilio stand-in: records each text sent, answers 201 queued
//   node assessment-page.mjs setup <base> <platform-token> <admin-oid>   a clinic with PHQ-9 links on; prints CLINIC=
//   node assessment-page.mjs book <base> <admin-token> <clinic> <day>    a patient and a visit on <day> 10:00 (New York)
//   node assessment-page.mjs link <texts.jsonl>                          prints the link the last text carried
//   node assessment-page.mjs answer <link>                               submits the page's form as a browser without
//                                                                        JavaScript would, then checks the link is used up
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";

const [step, ...args] = process.argv.slice(2);

async function call(base, token, method, path, body) {
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return JSON.parse(text);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

if (step === "twilio") {
  const [port, file] = args;
  let n = 0;
  createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => {
      if (request.method !== "POST" || !request.url.endsWith("/Messages.json")) {
        response.writeHead(404).end();
        return;
      }
      const form = new URLSearchParams(raw);
      appendFileSync(file, JSON.stringify({ to: form.get("To"), body: form.get("Body") }) + "\n");
      const sid = `SM${String(++n).padStart(32, "0")}`;
      response.writeHead(201, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ sid, status: "queued", body: form.get("Body"), to: form.get("To"), num_segments: "1", direction: "outbound-api" }));
    });
  }).listen(Number(port), "127.0.0.1");
} else if (step === "setup") {
  const [base, token, adminOid] = args;
  const id = `shot-${Date.now().toString(36)}`;
  const open = ["08:00", "18:00"];
  await call(base, token, "POST", "/clinics", {
    id, name: "Riverside Behavioral Health", timeZone: "America/New_York", country: "US", phone: "+12125550100",
    smsFrom: `+12123${String(Date.now() % 1000000).padStart(6, "0")}`, chairs: 4, sessionMinutes: 120, slotMinutes: 15,
    openingHours: { mon: open, tue: open, wed: open, thu: open, fri: open, sat: open, sun: open },
    assessments: { phq9: true, everyDays: 7 },
  });
  await call(base, token, "PUT", `/clinics/${id}/members/${adminOid}`, { role: "Clinic.Admin" });
  console.log(`CLINIC=${id}`);
} else if (step === "book") {
  const [base, token, clinic, day] = args;
  const patient = await call(base, token, "POST", `/clinics/${clinic}/patients`, {
    givenName: "Ana", familyName: "Silva", phone: `+12122${String(Date.now() % 1000000).padStart(6, "0")}`, smsConsent: true,
    remsEnrolled: true, language: "en", course: { startDate: day, maintenanceIntervalDays: 14 },
  });
  const session = await call(base, token, "POST", `/clinics/${clinic}/sessions`, { patientId: patient.id, start: `${day}T10:00` });
  console.log(`SESSION=${session.id}`);
} else if (step === "link") {
  const texts = readFileSync(args[0], "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const link = texts.map((t) => /https?:\/\/\S+\/api\/a\/[A-Za-z0-9_-]{22}/.exec(t.body)?.[0]).filter(Boolean).pop();
  if (!link) {
    fail(`no text carried a link: ${JSON.stringify(texts)}`);
  }
  console.log(link);
} else if (step === "answer") {
  const [link] = args;
  const page = await fetch(link, { headers: { Accept: "text/html" } });
  const html = await page.text();
  if (page.status !== 200) fail(`the page answered ${page.status}`);
  if (/<script/i.test(html)) fail("the page has a script");
  const csp = page.headers.get("content-security-policy") ?? "";
  if (!csp.includes("default-src 'none'")) fail(`weak Content-Security-Policy: ${csp}`);
  const form = /<form method="post" action="([^"]*)"/.exec(html);
  if (!form) fail("no plain POST form");
  // What a browser without JavaScript sends: the checked radio of each group; here the first choice of each question.
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="radio" id="[^"]+" name="([a-z0-9]+)" value="(\d)"/g)) {
    if (!fields.has(name)) fields.set(name, value);
  }
  for (let q = 1; q <= 9; q++) {
    if (!fields.has(`q${q}`)) fail(`question ${q} has no radio buttons`);
    if (!new RegExp(`<label for="q${q}-0">`).test(html)) fail(`question ${q}'s first answer has no label bound to it`);
  }
  const target = new URL(form[1], link);
  const answer = await fetch(target, { method: "POST", headers: { Accept: "text/html", "Content-Type": "application/x-www-form-urlencoded" }, body: fields.toString() });
  const thanks = await answer.text();
  if (answer.status !== 200 || !thanks.includes("Thank you")) fail(`the form's submission answered ${answer.status}: ${thanks.slice(0, 300)}`);
  const again = await fetch(link, { headers: { Accept: "text/html" } });
  if (again.status !== 404) fail(`the used link answered ${again.status}, not 404`);
  console.log(`submitted ${[...fields.keys()].join(",")} to ${target.pathname.replace(/[^/]+$/, "<code>")}: thank-you page; the link is used up`);
} else {
  fail(`unknown step ${step}`);
}
