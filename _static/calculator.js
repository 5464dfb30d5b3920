/* The book's planning calculator (Part III, "A calculator in the browser").
 *
 * A line-by-line port of scaling/planner.py and of the allocation and loss of
 * scaling.laws.ChinchillaLaw: the same formulas in the same order, the same bisection
 * (so the same root to the last bit the formula resolves), the same checks. No network,
 * no library: Jupyter Book loads every .js file in _static/ on every page, so this file
 * does nothing unless the page holds <div id="scaling-calculator" data-config="...">,
 * whose JSON (written by the page from scaling.published) gives the laws' constants and
 * the fitted range. tests/browser/test_calculator.py checks every output against
 * `python -m scaling ... --json` to 1e-9 relative.
 *
 * Every output element carries data-key (e.g. "plan.N_opt") and data-value (the number
 * at full precision, String(x), or "unreachable"), for scripts and for the tests.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ the closed forms (scaling.planner)
  const TINY = 2.2250738585072014e-308;
  const HUGE = 1.7976931348623157e308;
  const EXP_MAX = 709.782712893384;

  class PlanError extends Error {
    /* kind: "unreachable" (below an asymptote, or a loss at or below E), "range" (outside double
       precision), "input" (not a valid number). */
    constructor(message, kind) {
      super(message);
      this.kind = kind;
    }
  }

  const exp = (x) => (x < EXP_MAX ? Math.exp(x) : Infinity);
  const expm1 = (x) => (x < EXP_MAX ? Math.expm1(x) : Infinity);
  const normal = (x) => Number.isFinite(x) && Math.abs(x) >= TINY;

  function logaddexp(x, y) {
    const big = x >= y ? x : y;
    const small = x >= y ? y : x;
    return big + Math.log1p(Math.exp(small - big));
  }

  function representable(record, what) {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new PlanError(`${what}: ${key} is outside double precision`, "range");
      }
    }
    return record;
  }

  /* planner.bisect: a root of f in [lo, hi] to adjacent doubles. */
  function bisect(f, lo, hi) {
    let fLo = f(lo);
    let fHi = f(hi);
    if (Number.isNaN(fLo) || Number.isNaN(fHi)) throw new PlanError("f is NaN at an end of the bracket", "range");
    if (fLo === 0) return lo;
    if (fHi === 0) return hi;
    if ((fLo > 0) === (fHi > 0)) throw new PlanError("f must change sign on the bracket", "range");
    for (;;) {
      const mid = 0.5 * lo + 0.5 * hi;
      if (!(lo < mid && mid < hi)) break;
      const fMid = f(mid);
      if (Number.isNaN(fMid)) throw new PlanError("f is NaN inside the bracket", "range");
      if (fMid === 0) return mid;
      if ((fMid > 0) === (fLo > 0)) {
        lo = mid;
        fLo = fMid;
      } else {
        hi = mid;
        fHi = fMid;
      }
    }
    return Math.abs(fLo) <= Math.abs(fHi) ? lo : hi;
  }

  // ---- ChinchillaLaw: allocation exponents, G, the optimal allocation, the loss
  function exponents(law) {
    const total = law.alpha + law.beta;
    if (Number.isFinite(total)) return [law.beta / total, law.alpha / total];
    return [1.0 / (1.0 + law.alpha / law.beta), 1.0 / (1.0 + law.beta / law.alpha)];
  }

  function logG(law) {
    const logRatio = Math.log(law.alpha) + Math.log(law.A) - Math.log(law.beta) - Math.log(law.B);
    const total = law.alpha + law.beta;
    if (Number.isFinite(total)) return logRatio / total;
    return logRatio / law.alpha / (1.0 + law.beta / law.alpha);
  }

  function eol(direct, logValue, ...parts) {
    /* _validate.exact_or_log: the formula as written where every step is a normal double. */
    if (normal(direct) && parts.every(normal)) return direct;
    return exp(logValue());
  }

  function G(law) {
    const lg = logG(law);
    const ratio = (law.alpha * law.A) / (law.beta * law.B);
    const direct = Math.pow(ratio, 1.0 / (law.alpha + law.beta));
    return eol(direct, () => lg, ratio);
  }

  function allocation(C, law) {
    /* ChinchillaLaw.optimal_allocation: (N_opt, D_opt) with 6 N D = C. */
    const [a, b] = exponents(law);
    const c6 = C / 6.0;
    const logC6 = Math.log(C) - Math.log(6.0);
    const lg = logG(law);
    if (!Number.isFinite(lg)) throw new PlanError("N_opt and D_opt are beyond double precision", "range");
    const logN = lg + a * logC6;
    const logD = b * logC6 - lg;
    if (-708.0 < lg && lg < 709.0) {
      const g = G(law);
      const pa = Math.pow(c6, a);
      const pb = Math.pow(c6, b);
      return [eol(g * pa, () => logN, c6, pa), eol(pb / g, () => logD, c6, pb)];
    }
    return [exp(logN), exp(logD)];
  }

  function term(scale, x, exponent) {
    const power = Math.pow(x, -exponent);
    return eol(scale * power, () => Math.log(scale) - exponent * Math.log(x), x, power);
  }

  function lossOf(N, D, law) {
    return law.E + term(law.A, N, law.alpha) + term(law.B, D, law.beta);
  }

  // ---- the overhead curve
  function logAsymptote(law) {
    const logR = Math.log(law.alpha) - Math.log(law.beta);
    if (logR < -30.0) return -(1.0 - 0.5 * Math.exp(logR)) / law.beta;
    const r = law.alpha / law.beta;
    const log1pR = r < 1e300 ? Math.log1p(r) : logR + Math.log1p(Math.exp(-logR));
    const out = -log1pR / law.alpha;
    return Number.isFinite(out) ? out : -Infinity;
  }

  function q(u) {
    if (Math.abs(u) < 1e-8) return -1.0 + 0.5 * u;
    return expm1(-u) / u;
  }

  function logDataFactor(x, law) {
    /* [y, ln k_D] at x = ln k_N; y <= -1: at or below the asymptote. */
    const u = law.alpha * x;
    let y;
    let xq;
    if (-u > 700.0) {
      const logNegY = Math.log(law.beta) - Math.log(law.alpha) - u;
      if (logNegY >= 0.0) return [-Infinity, Infinity];
      y = -Math.exp(logNegY);
      xq = -y / law.beta;
    } else {
      xq = x * q(u);
      y = -law.beta * xq;
    }
    if (y <= -1.0) return [y, Infinity];
    const over = Math.abs(y) < 1e-8 ? 1.0 - 0.5 * y : Math.log1p(y) / y;
    return [y, xq * over];
  }

  const logOverhead = (x, law) => x + logDataFactor(x, law)[1];

  function asymptote(law) {
    const out = exp(logAsymptote(law));
    if (!(out >= TINY)) throw new PlanError("the asymptote is below the smallest double", "range");
    return out;
  }

  function fmtG(x, digits) {
    /* Python's f"{x:.{digits}g}" (for messages). */
    if (x === 0) return "0";
    const e = Math.floor(Math.log10(Math.abs(x)));
    if (e < -4 || e >= digits) {
      let [m, ex] = x.toExponential(digits - 1).split("e");
      if (m.includes(".")) m = m.replace(/0+$/, "").replace(/\.$/, "");
      const n = parseInt(ex, 10);
      return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
    }
    let s = x.toFixed(Math.max(digits - 1 - e, 0));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }

  function checkK(k, law) {
    if (!(Number.isFinite(k) && k > 0)) throw new PlanError("k_N must be a positive number", "input");
    const [y, logKd] = logDataFactor(Math.log(k), law);
    if (y <= -1.0) {
      throw new PlanError(
        `k_N = ${fmtG(k, 6)} is at or below the asymptote k_N* = ${fmtG(Math.exp(Math.max(logAsymptote(law), -745)), 4)} ` +
          "of this law: no amount of data reaches the compute-optimal loss",
        "unreachable");
    }
    return logKd;
  }

  function dataFactor(k, law) {
    const out = exp(checkK(k, law));
    if (!(out >= TINY && Number.isFinite(out))) throw new PlanError("k_D is outside double precision", "range");
    return out;
  }

  function computeOverhead(k, law) {
    const out = expm1(Math.log(k) + checkK(k, law));
    if (!Number.isFinite(out)) throw new PlanError("the overhead is outside double precision", "range");
    return out;
  }

  function criticalModelSize(law, overhead = 1.0) {
    const target = Math.log1p(overhead);
    let lo = logAsymptote(law);
    if (lo >= 0.0) return 1.0;
    lo = Math.max(lo, -745.0);
    const f = (v) => logOverhead(v, law) - target;
    if (f(lo) <= 0) throw new PlanError("the critical model size is below the smallest double", "range");
    const out = Math.exp(bisect(f, lo, 0.0));
    if (!(out >= TINY)) throw new PlanError("the critical model size is below the smallest double", "range");
    return out;
  }

  // ---- budgets and losses
  function logComputeForReducible(reducible, law) {
    const lg = logG(law);
    if (!Number.isFinite(lg)) throw new PlanError("the compute-optimal budgets are beyond double precision", "range");
    const logK = logaddexp(Math.log(law.A) - law.alpha * lg, Math.log(law.B) + law.beta * lg);
    const diff = logK - Math.log(reducible);
    return Math.log(6.0) + (diff === 0 ? 0.0 : diff * (1.0 / law.alpha + 1.0 / law.beta));
  }

  function computeForLoss(loss, law) {
    if (!(loss > law.E)) {
      throw new PlanError(
        `the loss ${fmtG(loss, 6)} is at or below this law's irreducible loss E = ${fmtG(law.E, 6)}: no budget reaches it`,
        "unreachable");
    }
    const out = exp(logComputeForReducible(loss - law.E, law));
    if (!(out >= TINY && Number.isFinite(out))) throw new PlanError("the budget is outside double precision", "range");
    return out;
  }

  function optimal(C, law) {
    const [n, d] = allocation(C, law);
    if (!(n >= TINY && d >= TINY && Number.isFinite(n) && Number.isFinite(d))) {
      throw new PlanError("N_opt or D_opt is outside double precision", "range");
    }
    return representable({ C: C, N_opt: n, D_opt: d, tokens_per_parameter: d / n, loss: lossOf(n, d, law) },
                         "the compute-optimal model");
  }

  // ---- smaller models
  function shrunkModel(k, C, law) {
    checkK(k, law);
    const kd = dataFactor(k, law);
    const opt = optimal(C, law);
    const n = opt.N_opt;
    const d = opt.D_opt;
    return representable({
      C: C, N_opt: n, D_opt: d, k_N: k, k_D: kd, N: k * n, D: kd * d,
      compute: 6.0 * k * n * kd * d, overhead: computeOverhead(k, law), loss: opt.loss,
    }, "the shrunk model");
  }

  function shrink(N, D, law) {
    const c = 6.0 * N * D;
    if (!Number.isFinite(c)) throw new PlanError("the budget 6 N D is above 1.8e308 FLOPs", "range");
    const reducible = term(law.A, N, law.alpha) + term(law.B, D, law.beta);
    const cIso = exp(logComputeForReducible(reducible, law));
    if (!(TINY <= c && TINY <= cIso && cIso <= HUGE)) {
      throw new PlanError("the budget or that of the compute-optimal model with the same loss is outside double precision",
                          "range");
    }
    const [nOpt, dOpt] = allocation(cIso, law);
    const kN = N / nOpt;
    return representable({
      N: N, D: D, compute: c, loss: law.E + reducible, iso_loss_compute: cIso, N_opt: nOpt, D_opt: dOpt,
      k_N: kN, k_D: D / dOpt, overhead: c / cIso - 1.0, k_N_same_budget: N / allocation(c, law)[0],
      beyond_critical: kN < 1.0 && kN < criticalModelSize(law),
    }, "the placement");
  }

  function sameBudgetPlacement(N, D, law) {
    const c = 6.0 * N * D;
    if (!Number.isFinite(c)) throw new PlanError("the budget 6 N D is above 1.8e308 FLOPs", "range");
    if (c < TINY) throw new PlanError("the budget 6 N D is below the smallest double", "range");
    const k = N / allocation(c, law)[0];
    if (k <= asymptote(law)) {
      throw new PlanError(`N is ${fmtG(k, 4)} x N_opt of its own budget, at or below the asymptote: no model of that ` +
                          "size reaches the budget's optimal loss", "unreachable");
    }
    return shrunkModel(k, c, law);
  }

  // ---- inference
  function logInferenceRatio(x, law, t, i) {
    if (x === 0.0) return -Infinity;
    const [y, logKd] = logDataFactor(x, law);
    if (y <= -1.0) return Infinity;
    const logSum = logaddexp(Math.log(law.alpha), Math.log(law.beta));
    const qq = q(law.alpha * x);
    return Math.log(t) - Math.log(i) + logKd - Math.log1p(y) + logSum + Math.log(Math.abs(x)) + Math.log(Math.abs(qq));
  }

  function bestModelFraction(rho, law, t = 6.0, i = 2.0) {
    if (rho === 0) return 1.0;
    let lo = logAsymptote(law);
    if (lo >= 0.0) return 1.0;
    const target = Math.log(rho);
    lo = Math.max(lo, -745.0);
    const f = (v) => logInferenceRatio(v, law, t, i) - target;
    if (f(lo) <= 0) throw new PlanError("the best model fraction is below the smallest double", "range");
    return Math.exp(bisect(f, lo, 0.0));
  }

  function optimalWithInference(loss, inferenceTokens, law, t = 6.0, i = 2.0) {
    const c0 = computeForLoss(loss, law);
    const [nOpt, dOpt] = allocation(c0, law);
    const rho = inferenceTokens / dOpt;
    if (!Number.isFinite(rho)) throw new PlanError("inference tokens / D_opt is above the largest double", "range");
    const k = bestModelFraction(rho, law, t, i);
    const kd = dataFactor(k, law);
    const n = k * nOpt;
    const d = kd * dOpt;
    const train = t * n * d;
    const infer = i * n * inferenceTokens;
    const chin = t * nOpt * dOpt + i * nOpt * inferenceTokens;
    return representable({
      loss: loss, inference_tokens: inferenceTokens, k_N: k, k_D: kd, N: n, D: d, training_flops: train,
      inference_flops: infer, total_flops: train + infer, chinchilla_total_flops: chin,
      saving: 1.0 - (train + infer) / chin, N_opt: nOpt, D_opt: dOpt,
    }, "the lifetime plan");
  }

  function extrapolationWarnings(range, factor, quantities) {
    const units = { N: "parameters", D: "tokens", C: "FLOPs" };
    const out = [];
    for (const key of ["N", "D", "C"]) {
      const values = quantities[key] || [];
      if (!values.length) continue;
      const [lo, hi] = range[key];
      let worst = null;
      let worstLog = -Infinity;
      for (const v of values) {
        const lf = Math.max(Math.log(v) - Math.log(hi), Math.log(lo) - Math.log(v));
        if (lf > worstLog) {
          worstLog = lf;
          worst = v;
        }
      }
      if (worstLog > Math.log(factor)) {
        const f = worstLog < 709 ? fmtG(Math.exp(worstLog), 3) : `1e${Math.round(worstLog / Math.LN10)}`;
        out.push(`${key} = ${fmtG(worst, 3)} ${units[key]} lies a factor of ${f} outside the Chinchilla runs the laws ` +
                 `were fitted on (${key} from ${fmtG(lo, 3)} to ${fmtG(hi, 3)}): the answer is an extrapolation the ` +
                 "data never checked");
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ reading and showing numbers
  const SUFFIXES = { K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12, P: 1e15 };
  const NUMBER = /^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eE][+-]?[0-9]+)?\s*([A-Za-z%]*)$/;

  function parseNumber(text, what, { suffix = false, percent = false, positive = true, allowZero = false } = {}) {
    /* A number as the command line reads it: 7e9 or 7B (a suffix or an exponent, not both), 50% for a fraction. */
    const s = text.trim();
    if (s === "") throw new PlanError(`${what}: give a number`, "input");
    const m = NUMBER.exec(s);
    if (!m) throw new PlanError(`${what}: ${JSON.stringify(text)} is not a number (write e.g. 5.76e23${suffix ? " or 7B" : ""})`, "input");
    let value = parseFloat(m[1] + (m[2] || ""));
    const sfx = m[3];
    if (sfx) {
      if (percent && sfx === "%") {
        value *= 0.01;
      } else if (suffix && SUFFIXES[sfx.toUpperCase()] !== undefined) {
        if (m[2]) throw new PlanError(`${what}: an exponent and a suffix: write 7e9 or 7B, not 7e9B`, "input");
        value *= SUFFIXES[sfx.toUpperCase()];
      } else {
        throw new PlanError(`${what}: unknown suffix ${JSON.stringify(sfx)}`, "input");
      }
    }
    if (!Number.isFinite(value)) throw new PlanError(`${what}: too large for double precision`, "input");
    if (positive && !(value > 0) && !(allowZero && value === 0)) throw new PlanError(`${what}: must be positive`, "input");
    return value;
  }

  function trimZeros(s) {
    return s.includes("e") ? s.replace(/\.?0+e/, "e") : s.includes(".") ? s.replace(/\.?0+$/, "") : s;
  }

  function count(x) {
    /* cli._count: 4 significant figures with a suffix (12.52B, 1.088T). */
    const r = Number(x.toPrecision(4));
    if (!Number.isFinite(r) || Math.abs(r) >= 1e18 || (r !== 0 && Math.abs(r) < 1e-3)) return x.toExponential(3);
    for (const [sfx, scale] of [["P", 1e15], ["T", 1e12], ["B", 1e9], ["M", 1e6], ["K", 1e3]]) {
      if (Math.abs(r) >= scale) return trimZeros((r / scale).toPrecision(4)) + sfx;
    }
    return trimZeros(r.toPrecision(4));
  }

  const flops = (x) => x.toExponential(3);
  const pct = (x) => (Math.abs(100 * x) < 1e6 ? `${(100 * x).toFixed(1)}%` : `${(100 * x).toExponential(3)}%`);
  const fixed = (x, n) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toFixed(n) : x.toExponential(3));
  const loss4 = (x) => fixed(x, 4);

  // ------------------------------------------------------------------ the page
  const h = (tag, attrs = {}, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) el.append(c);
    return el;
  };

  const SECTIONS = [
    ["plan", "plan: the compute-optimal model", "python -m scaling plan", [
      ["C", "budget C (FLOPs)", flops], ["N_opt", "parameters N_opt", count], ["D_opt", "tokens D_opt", count],
      ["tokens_per_parameter", "tokens per parameter", (x) => trimZeros(x.toPrecision(3))],
      ["loss", "loss (nats/token)", loss4]]],
    ["shrunk", "plan --kn: the model k_N times smaller, trained to the same loss (de Vries' Table A3)", "", [
      ["N", "parameters N = k_N N_opt", count], ["D", "tokens D = k_D D_opt", count], ["k_D", "data factor k_D", (x) => fixed(x, 3)],
      ["compute", "its compute (FLOPs)", flops], ["overhead", "extra compute", pct]]],
    ["inference", "plan --inference-tokens: the cheapest model over its lifetime", "", [
      ["N", "parameters", count], ["D", "training tokens", count], ["k_N", "k_N", (x) => fixed(x, 3)],
      ["training_flops", "training (FLOPs)", flops], ["total_flops", "training + inference (FLOPs)", flops],
      ["chinchilla_total_flops", "same for the compute-optimal model", flops], ["saving", "compute saved", pct]]],
    ["shrink", "shrink, equal loss: how much more compute did this model cost than the cheapest model as good as it?", "", [
      ["compute", "its budget 6ND (FLOPs)", flops], ["loss", "its loss (nats/token)", loss4],
      ["N_opt", "N_opt of that loss", count], ["D_opt", "D_opt of that loss", count], ["k_N", "k_N = N / N_opt", (x) => fixed(x, 3)],
      ["k_D", "k_D = D / D_opt", (x) => fixed(x, 3)], ["overhead", "overhead", pct],
      ["beyond_critical", "past the critical size", (x) => x]]],
    ["same", "shrink, same budget (as the harms-law space reads it): how much more than its budget would a model of this size need to match the best model of its budget?", "", [
      ["N_opt", "N_opt of its budget", count], ["k_N", "k_N = N / N_opt(6ND)", (x) => fixed(x, 3)],
      ["D", "tokens it would need", count], ["k_D", "k_D", (x) => fixed(x, 3)], ["overhead", "overhead", pct]]],
    ["overhead", "overhead: the curve at this k_N (the same at every budget)", "", [
      ["k_D", "data factor k_D", (x) => fixed(x, 4)], ["overhead", "compute overhead", pct],
      ["asymptote", "asymptote k_N*", (x) => fixed(x, 4)], ["critical_model_size", "critical k_N (100 %)", (x) => fixed(x, 4)]]],
  ];

  function build(root, config) {
    const lawNames = Object.keys(config.laws);
    const select = h("select", { id: "sc-law", name: "law" },
      ...lawNames.map((n) => h("option", { value: n, text: `${n}: ${config.laws[n].label}`, selected: n === config.default_law })),
      h("option", { value: "custom", text: "custom: your own constants" }));
    const custom = h("div", { class: "sc-custom", hidden: true },
      ...["E", "A", "B", "alpha", "beta"].map((p) => h("label", { class: "sc-field" }, h("span", { text: p }),
        h("input", { id: `sc-${p}`, name: p, type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false" }))));
    const mode = h("div", { class: "sc-modes", role: "radiogroup", "aria-label": "question" },
      ...[["compute", "a budget C"], ["loss", "a target loss L"], ["model", "a model (N, D)"]].map(([v, t], j) =>
        h("label", { class: "sc-mode" }, h("input", { type: "radio", name: "sc-mode", value: v, checked: j === 0 }), h("span", { text: t }))));
    const field = (id, label, value, help, cls) => h("label", { class: `sc-field ${cls}` }, h("span", { text: label }),
      h("input", { id: `sc-${id}`, name: id, type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false", value: value, "aria-describedby": `sc-${id}-msg` }),
      h("small", { id: `sc-${id}-msg`, class: "sc-msg", text: help }));
    const form = h("form", { class: "sc-form", novalidate: true, autocomplete: "off" },
      h("fieldset", {}, h("legend", { text: "Law" }), h("label", { class: "sc-field" }, h("span", { text: "fitted law" }), select), custom,
        h("p", { class: "sc-advice", text: config.advice || "" })),
      h("fieldset", {}, h("legend", { text: "Question" }), mode,
        field("compute", "budget C (FLOPs)", "1e24", "e.g. 5.76e23", "sc-for-compute"),
        field("loss", "target loss L (nats/token)", "2.0", "above the law's E", "sc-for-loss"),
        field("params", "parameters N", "8B", "e.g. 6.9B or 6.9e9", "sc-for-model"),
        field("tokens", "training tokens D", "15T", "e.g. 1T or 1e12", "sc-for-model"),
        field("kn", "k_N: size / compute-optimal size", "0.5", "e.g. 0.5 or 50%", "sc-for-compute sc-for-loss"),
        field("inference", "lifetime inference tokens (optional)", "", "e.g. 1e13; empty: none", "sc-for-compute sc-for-loss")));
    const outputs = h("div", { class: "sc-outputs", "aria-live": "polite" });
    for (const [id, title, , rows] of SECTIONS) {
      const dl = h("dl", {});
      for (const [key, label] of rows) {
        dl.append(h("dt", { text: label }), h("dd", { "data-key": `${id}.${key}`, "data-value": "" }));
      }
      outputs.append(h("section", { class: `sc-section sc-${id}`, "data-section": id, hidden: true }, h("h4", { text: title }), dl,
        h("p", { class: "sc-note", hidden: true })));
    }
    const warnings = h("ul", { class: "sc-warnings", "data-count": "0" });
    const error = h("p", { class: "sc-error", role: "alert", hidden: true });
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "sc-curve");
    svg.setAttribute("viewBox", "0 0 640 360");
    svg.setAttribute("role", "img");
    const figure = h("figure", { class: "sc-figure" }, svg,
      h("figcaption", { text: "The compute overhead against k_N under the chosen law (log scale), with the chosen model; " +
        "dashed: the critical size (100 % overhead); dotted: the asymptote, where no data suffice." }));
    root.replaceChildren(h("div", { class: "sc-layout" }, form, h("div", { class: "sc-results" }, error, outputs, warnings, figure)));
    return { form, select, custom, outputs, warnings, error, svg };
  }

  function currentLaw(ui, config) {
    const name = ui.select.value;
    if (name !== "custom") return [name, config.laws[name]];
    const law = {};
    for (const p of ["E", "A", "B", "alpha", "beta"]) {
      const input = document.getElementById(`sc-${p}`);
      law[p] = parseNumber(input.value, p, { positive: p !== "E", allowZero: p === "E" });
      if (p === "E" && law[p] < 0) throw new PlanError("E is an irreducible loss and must be >= 0", "input");
    }
    return ["custom", law];
  }

  function show(ui, section, values, note) {
    const el = ui.outputs.querySelector(`[data-section="${section}"]`);
    const rows = SECTIONS.find((s) => s[0] === section)[3];
    el.hidden = false;
    for (const [key, , format] of rows) {
      const dd = el.querySelector(`[data-key="${section}.${key}"]`);
      const v = values === null ? undefined : values[key];
      if (values === null) {
        dd.dataset.value = "unreachable";
        dd.textContent = key === rows[0][0] ? "unreachable" : "";
      } else if (typeof v === "boolean") {
        dd.dataset.value = String(v);
        dd.textContent = v ? "yes" : "no";
      } else if (v === null || v === undefined) {
        dd.dataset.value = "";
        dd.textContent = "-";
      } else {
        dd.dataset.value = String(v);
        dd.textContent = format(v);
      }
    }
    const p = el.querySelector(".sc-note");
    p.hidden = !note;
    p.textContent = note || "";
  }

  function attempt(fn) {
    /* [value, null] or [null, the message] for an unreachable answer; other errors propagate. */
    try {
      return [fn(), null];
    } catch (err) {
      if (err instanceof PlanError && err.kind === "unreachable") return [null, err.message];
      throw err;
    }
  }

  function readInput(id, what, options) {
    const input = document.getElementById(`sc-${id}`);
    const msg = document.getElementById(`sc-${id}-msg`);
    try {
      const v = parseNumber(input.value, what, options);
      input.removeAttribute("aria-invalid");
      msg.textContent = msg.dataset.help;
      return v;
    } catch (err) {
      input.setAttribute("aria-invalid", "true");
      msg.textContent = err.message;
      throw err;
    }
  }

  function update(ui, config, root) {
    for (const s of ui.outputs.querySelectorAll("section")) s.hidden = true;
    ui.error.hidden = true;
    ui.warnings.replaceChildren();
    ui.warnings.dataset.count = "0";
    const mode = ui.form.querySelector('input[name="sc-mode"]:checked').value;
    root.dataset.mode = mode;
    for (const el of ui.form.querySelectorAll(".sc-field[class*='sc-for-']")) {
      el.hidden = !el.classList.contains(`sc-for-${mode}`);
    }
    ui.custom.hidden = ui.select.value !== "custom";
    const quantities = { N: [], D: [], C: [] };
    let point = null;
    let law;
    try {
      [, law] = currentLaw(ui, config);
      root.dataset.law = ui.select.value;
      if (mode === "model") {
        const N = readInput("params", "parameters N", { suffix: true });
        const D = readInput("tokens", "tokens D", { suffix: true });
        const p = shrink(N, D, law);
        show(ui, "shrink", { ...p, beyond_critical: p.k_N < 1 ? p.beyond_critical : null },
             p.k_N < 1 ? "" : "A larger-than-optimal model (k_N > 1): the critical size concerns smaller ones.");
        const [same, why] = attempt(() => sameBudgetPlacement(N, D, law));
        show(ui, "same", same === null ? null : same, why);
        if (same === null) {
          const dd = ui.outputs.querySelector('[data-key="same.k_N"]');
          dd.dataset.value = String(p.k_N_same_budget);
          dd.textContent = fixed(p.k_N_same_budget, 3);
        }
        show(ui, "overhead", { k_D: p.k_D, overhead: p.overhead, asymptote: asymptote(law),
                               critical_model_size: criticalModelSize(law) });
        quantities.N.push(N);
        quantities.D.push(D);
        quantities.C.push(p.compute);
        point = { k: p.k_N, overhead: p.overhead, same: same === null ? null : { k: same.k_N, overhead: same.overhead } };
      } else {
        let C;
        let target;
        if (mode === "compute") {
          C = readInput("compute", "budget C", { suffix: true });
          quantities.C.push(C);
        } else {
          target = readInput("loss", "loss L");
        }
        const k = readInput("kn", "k_N", { percent: true });
        const inferenceText = document.getElementById("sc-inference").value.trim();
        const T = inferenceText === "" ? null : readInput("inference", "inference tokens", { suffix: true });
        let plan = null;
        let why = null;
        if (mode === "loss") {
          [C, why] = attempt(() => computeForLoss(target, law));
        }
        if (C !== null) plan = optimal(C, law);
        show(ui, "plan", plan, why);
        const [kd, kWhy] = attempt(() => dataFactor(k, law));
        show(ui, "overhead", kd === null ? null : { k_D: kd, overhead: computeOverhead(k, law), asymptote: asymptote(law),
                                                   critical_model_size: criticalModelSize(law) }, kWhy);
        if (kd === null) {
          for (const key of ["asymptote", "critical_model_size"]) {
            const dd = ui.outputs.querySelector(`[data-key="overhead.${key}"]`);
            const v = key === "asymptote" ? asymptote(law) : criticalModelSize(law);
            dd.dataset.value = String(v);
            dd.textContent = fixed(v, 4);
          }
        }
        if (plan !== null) {
          quantities.N.push(plan.N_opt);
          quantities.D.push(plan.D_opt);
          if (mode === "loss") quantities.C.push(plan.C);
          const [sm, smWhy] = attempt(() => shrunkModel(k, C, law));
          show(ui, "shrunk", sm, smWhy);
          if (sm !== null) {
            quantities.N.push(sm.N);
            quantities.D.push(sm.D);
            quantities.C.push(sm.compute);
          }
          if (T !== null) {
            const inf = optimalWithInference(mode === "loss" ? target : plan.loss, T, law);
            show(ui, "inference", inf);
            quantities.N.push(inf.N);
            quantities.D.push(inf.D);
            quantities.C.push(inf.training_flops);
          }
        }
        point = kd === null ? null : { k: k, overhead: computeOverhead(k, law), same: null };
      }
      for (const w of extrapolationWarnings(config.fitted_range, config.extrapolation_factor, quantities)) {
        ui.warnings.append(h("li", { text: `warning: ${w}` }));
      }
      ui.warnings.dataset.count = String(ui.warnings.children.length);
      root.dataset.state = "ok";
      root.dataset.error = "";
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      for (const s of ui.outputs.querySelectorAll("section")) s.hidden = true;
      ui.error.hidden = false;
      ui.error.textContent = err.message;
      root.dataset.state = err.kind;
      root.dataset.error = err.message;
    }
    draw(ui.svg, law, point);
  }

  // ------------------------------------------------------------------ the curve
  const SVGNS = "http://www.w3.org/2000/svg";

  function s(tag, attrs, text) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function draw(svg, law, point) {
    svg.replaceChildren();
    if (!law) return;
    let kStar;
    let kCrit;
    try {
      kStar = asymptote(law);
      kCrit = criticalModelSize(law);
    } catch (err) {
      return;
    }
    // drawn at the size it is shown, so that its text stays legible on a phone
    const W = Math.round(Math.min(720, Math.max(300, svg.getBoundingClientRect().width || 640)));
    const H = Math.round(W < 480 ? W * 0.75 : W * 0.56);
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const m = { l: 66, r: 12, t: 14, b: 44 };
    const kMax = Math.max(3.0, point ? point.k * 1.3 : 0, point && point.same ? point.same.k * 1.3 : 0);
    const xLo = Math.log(kStar) - 0.12;  // a little room left of the asymptote, so that its line shows
    const xHi = Math.log(kMax);
    const yMax = Math.min(10.0, Math.max(2.0, point ? point.overhead * 1.25 : 0, point && point.same ? point.same.overhead * 1.25 : 0));
    const X = (k) => m.l + ((Math.log(k) - xLo) / (xHi - xLo)) * (W - m.l - m.r);
    const Y = (o) => H - m.b - (Math.min(o, yMax) / yMax) * (H - m.t - m.b);
    svg.append(s("title", {}, point
      ? `Overhead curve; the chosen model at k_N = ${fixed(point.k, 3)} costs ${pct(point.overhead)} extra compute`
      : "Overhead curve of the chosen law"));
    // axes, ticks
    const axes = s("g", { class: "sc-axes" });
    axes.append(s("line", { x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b }), s("line", { x1: m.l, y1: m.t, x2: m.l, y2: H - m.b }));
    for (const k of [0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10, 20, 50, 100]) {
      if (k < kStar || k > kMax) continue;
      axes.append(s("line", { x1: X(k), y1: H - m.b, x2: X(k), y2: H - m.b + 5 }),
                  s("text", { x: X(k), y: H - m.b + 18, "text-anchor": "middle" }, String(k)));
    }
    const step = yMax <= 2 ? 0.5 : yMax <= 5 ? 1 : 2;
    for (let o = 0; o <= yMax + 1e-9; o += step) {
      axes.append(s("line", { x1: m.l - 5, y1: Y(o), x2: m.l, y2: Y(o) }),
                  s("text", { x: m.l - 8, y: Y(o) + 4, "text-anchor": "end" }, `${Math.round(100 * o)}%`));
    }
    axes.append(s("text", { x: (m.l + W - m.r) / 2, y: H - 6, "text-anchor": "middle" }, "k_N = N / N_opt"),
                s("text", { x: 12, y: (m.t + H - m.b) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` }, "overhead"));
    svg.append(axes);
    svg.append(s("line", { class: "sc-asymptote", x1: X(kStar), y1: m.t, x2: X(kStar), y2: H - m.b }),
               s("line", { class: "sc-critical", x1: X(kCrit), y1: m.t, x2: X(kCrit), y2: H - m.b }),
               s("line", { class: "sc-critical", x1: m.l, y1: Y(1), x2: W - m.r, y2: Y(1) }));
    // the curve: 240 points in ln k_N, from just above the asymptote
    // (points above the top of the plot are left out; the line enters from the top edge)
    let d = "";
    let previous = null;
    const n = 240;
    for (let j = 0; j <= n; j += 1) {
      const x = Math.log(kStar) + (xHi - Math.log(kStar)) * (0.002 + 0.998 * (j / n));
      const o = expm1(logOverhead(x, law));
      if (!(o <= yMax)) {
        previous = x;
        continue;
      }
      if (d === "" && previous !== null) d += `M${X(Math.exp(previous)).toFixed(2)},${Y(yMax).toFixed(2)}`;
      d += `${d === "" ? "M" : "L"}${X(Math.exp(x)).toFixed(2)},${Y(o).toFixed(2)}`;
    }
    svg.append(s("path", { class: "sc-line", d: d, "data-points": String(n + 1) }));
    if (point) {
      svg.append(s("circle", { class: "sc-point", cx: X(point.k).toFixed(2), cy: Y(point.overhead).toFixed(2), r: 6,
                               "data-k": String(point.k), "data-overhead": String(point.overhead) }));
      if (point.same) {
        svg.append(s("circle", { class: "sc-point-same", cx: X(point.same.k).toFixed(2), cy: Y(point.same.overhead).toFixed(2), r: 6,
                                 "data-k": String(point.same.k), "data-overhead": String(point.same.overhead) }),
                   s("text", { class: "sc-legend", x: W - m.r - 6, y: m.t + 12, "text-anchor": "end" }, "\u25CF equal loss  \u25CB same budget"));
      }
    }
  }

  // ------------------------------------------------------------------ start
  function init() {
    const root = document.getElementById("scaling-calculator");
    if (!root || root.dataset.ready) return;
    const config = JSON.parse(root.dataset.config);
    const ui = build(root, config);
    for (const msg of root.querySelectorAll(".sc-msg")) msg.dataset.help = msg.textContent;
    const fillCustom = () => {
      const from = config.laws[ui.select.dataset.last || config.default_law];
      for (const p of ["E", "A", "B", "alpha", "beta"]) {
        const input = document.getElementById(`sc-${p}`);
        if (input.value === "") input.value = String(from[p]);
      }
    };
    ui.select.addEventListener("change", () => {
      if (ui.select.value === "custom") fillCustom();
      else ui.select.dataset.last = ui.select.value;
    });
    const run = () => update(ui, config, root);
    ui.form.addEventListener("input", run);
    ui.form.addEventListener("change", run);
    ui.form.addEventListener("submit", (e) => e.preventDefault());
    root.dataset.ready = "true";
    run();
    if (window.ResizeObserver) {
      let width = 0;
      new ResizeObserver((entries) => {
        const w = Math.round(entries[0].contentRect.width);
        if (w !== width) {
          width = w;
          run();
        }
      }).observe(ui.svg);
    }
  }

  // exposed for the console and the tests: the closed forms, nothing else
  window.scalingPlanner = {
    bisect, allocation, lossOf, asymptote, dataFactor, computeOverhead, criticalModelSize, computeForLoss, optimal,
    shrunkModel, shrink, sameBudgetPlacement, bestModelFraction, optimalWithInference, extrapolationWarnings, parseNumber,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
