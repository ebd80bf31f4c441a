// Drives the local host through one treatment session for monitoring-form.sh: `setup` creates a clinic and makes the
// admin its member, `book` registers a patient, receives a lot and books tomorrow 10:00 (New York), and `treat` (run on a
// host whose clock is shifted to that day 12:10) records the check-in, the dose, two observations and the discharge, then
// saves the form's printable page. Prints what the next step needs as KEY=value lines.
//   node monitoring-form.mjs setup <base> <platform-token> <admin-oid>
//   node monitoring-form.mjs book <base> <admin-token> <clinic>
//   node monitoring-form.mjs treat <base> <admin-token> <clinic> <session> <day> <page.html>
import { writeFileSync } from "node:fs";

const [step, base, token, ...rest] = process.argv.slice(2);

async function call(method, path, body, accept = "application/json") {
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: accept },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return accept === "application/json" ? JSON.parse(text) : text;
}

/** Tomorrow's date in New York, YYYY-MM-DD. */
function tomorrowInNewYork() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date(Date.now() + 24 * 3600 * 1000));
  return parts; // en-CA writes YYYY-MM-DD
}

if (step === "setup") {
  const [adminOid] = rest;
  const id = `shot-${Date.now().toString(36)}`;
  const open = ["08:00", "18:00"];
  await call("POST", "/clinics", {
    id, name: "Riverside Behavioral Health", timeZone: "America/New_York", country: "US", phone: "+12125550100",
    smsFrom: `+12123${String(Date.now() % 1000000).padStart(6, "0")}`, chairs: 4, sessionMinutes: 120, slotMinutes: 15,
    openingHours: { mon: open, tue: open, wed: open, thu: open, fri: open, sat: open, sun: open },
  });
  await call("PUT", `/clinics/${id}/members/${adminOid}`, { role: "Clinic.Admin" });
  console.log(`CLINIC=${id}`);
} else if (step === "book") {
  const [clinic] = rest;
  const patient = await call("POST", `/clinics/${clinic}/patients`, {
    givenName: "Ana", familyName: "Silva", phone: `+12122${String(Date.now() % 1000000).padStart(6, "0")}`, smsConsent: true,
    remsEnrolled: true, language: "en", externalId: "EHR-1234", dateOfBirth: "1980-04-02", sex: "female",
    course: { startDate: "2026-11-02", maintenanceIntervalDays: 14 },
  });
  await call("POST", `/clinics/${clinic}/inventory/lots`, { lot: "ABC1234", expires: "2199-06-30", devices: 24 });
  const day = tomorrowInNewYork();
  const session = await call("POST", `/clinics/${clinic}/sessions`, { patientId: patient.id, start: `${day}T10:00` });
  console.log(`SESSION=${session.id}`);
  console.log(`DAY=${day}`);
  console.log(`START_UTC=${session.startUtc}`);
} else if (step === "treat") {
  const [clinic, session, day, page] = rest;
  const at = (time) => `${day}T${time}`;
  const path = `/clinics/${clinic}/sessions/${session}`;
  await call("POST", `${path}/check-in`);
  await call("POST", `${path}/dose`, {
    at: at("10:02"), doseMg: 84, devices: [{ lot: "ABC1234", count: 3 }],
    preDose: { bloodPressure: "128/82", spo2: 98 }, concomitant: ["benzodiazepine"],
    monitoringClinician: { name: "Nurse Kim", phone: "(212) 555-0151", email: "kim@riverside.example" },
  });
  await call("POST", `${path}/observations`, {
    at: at("10:42"), bloodPressure: "134/86", spo2: 97, sedation: false, dissociation: true, respiratoryDepression: false,
    sideEffects: ["nausea", "dizziness"], note: "Feels detached; resting with the lights low.",
  });
  await call("POST", `${path}/observations`, { at: at("11:58"), bloodPressure: "128/84", spo2: 98, sedation: false, dissociation: false, respiratoryDepression: false });
  await call("POST", `${path}/complete`, {
    readyToLeaveAt: at("12:05"), bloodPressure: "126/80", vitalsAcceptable: { beforeDose: true, afterMonitoring: true },
    adverseEvents: [{ description: "Mild nausea, resolved by discharge", serious: false }],
  });
  writeFileSync(page, await call("GET", `${path}/monitoring-form`, undefined, "text/html"));
  console.log(`PAGE=${page}`);
} else {
  console.error(`unknown step ${step}`);
  process.exit(2);
}
