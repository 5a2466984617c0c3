// @ts-check
// The built-in patterns used when the server cannot be reached (or refuses the token).
// They only catch identifiers whose shape alone is telling; every finding is marked
// `offline: true` so the UI can say "offline check". Offsets are JavaScript string
// indices, i.e. UTF-16, the same unit the server is asked for.
(() => {
  const C = (globalThis.Carelint = globalThis.Carelint || /** @type {Carelint.Namespace} */ ({}));
  const SOURCE = "offline check (built-in pattern)";
  /** @type {{type: string, severity: Carelint.Severity, re: RegExp, group?: number, message: string, suggestions: string[]}[]} */
  const PATTERNS = [
    {
      type: "US_SSN",
      severity: "high",
      re: /\b(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}\b/g,
      message: "Looks like a Social Security number (HIPAA identifier 7).",
      suggestions: ["[SSN removed]"],
    },
    {
      type: "MRN",
      severity: "high",
      re: /\b(?:MRN|medical record (?:number|no\.?|#))\s*(?:[:#]\s*)?([A-Z]{0,3}\d[\dA-Z-]{3,})/gi,
      group: 1,
      message: "Looks like a medical record number (HIPAA identifier 8).",
      suggestions: ["[MRN removed]"],
    },
    {
      type: "DATE_OF_BIRTH",
      severity: "high",
      re: /\b(?:DOB|D\.O\.B\.?|date of birth|born(?: on)?)\s*[:-]?\s*(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2},? \d{4})/gi,
      group: 1,
      message: "Looks like a date of birth (HIPAA identifier 3).",
      suggestions: ["[date removed]"],
    },
    {
      type: "EMAIL_ADDRESS",
      severity: "medium",
      re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
      message: "An email address can identify a patient (HIPAA identifier 6).",
      suggestions: [],
    },
    {
      type: "PHONE_NUMBER",
      severity: "medium",
      re: /(?<![\d-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\d-])/g,
      message: "A phone number can identify a patient (HIPAA identifier 4).",
      suggestions: [],
    },
  ];

  C.offlineCheck = (text) => {
    /** @type {Carelint.Finding[]} */
    const findings = [];
    /** @type {[number, number][]} */
    const taken = [];
    for (const p of PATTERNS) {
      for (const m of text.matchAll(p.re)) {
        const value = p.group ? m[p.group] : m[0];
        if (!value) continue;
        const start = m.index + (p.group ? m[0].indexOf(value) : 0);
        const end = start + value.length;
        if (taken.some(([s, e]) => start < e && end > s)) continue; // SSN beats phone
        taken.push([start, end]);
        findings.push({
          id: `offline-${p.type.toLowerCase()}-${start}-${end}`,
          start,
          end,
          text: value,
          category: "phi",
          type: p.type,
          rule: `offline.${p.type.toLowerCase()}`,
          severity: p.severity,
          message: p.message,
          suggestions: p.suggestions,
          source: SOURCE,
          offline: true,
        });
      }
    }
    return findings.sort((a, b) => a.start - b.start);
  };
})();
