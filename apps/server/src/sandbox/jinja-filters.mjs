/**
 * Jinja2 filters that minijinja's core leaves out but scores written for Jinja2 use. They run
 * inside the sandbox worker on plain values handed over by the engine, never on host objects.
 */

/** Python's `%` formatting for the conversions templates use: %s %r %d %i %f %e %g %x %o %%. */
function percentFormat(format, ...args) {
  let next = 0;
  return String(format).replace(
    /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([srdifeEgGxXoc%])/g,
    (_, key, flags, width, precision, conversion) => {
      if (conversion === "%") return "%";
      const value =
        key !== undefined && args[0] !== null && typeof args[0] === "object"
          ? args[0][key]
          : args[next++];
      let text;
      switch (conversion) {
        case "d":
        case "i":
          text = String(Math.trunc(Number(value)));
          break;
        case "f":
          text = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
          break;
        case "e":
        case "E":
          text = Number(value).toExponential(precision === undefined ? 6 : Number(precision));
          if (conversion === "E") text = text.toUpperCase();
          break;
        case "g":
        case "G":
          text = String(
            Number(Number(value).toPrecision(precision === undefined ? 6 : Number(precision) || 1)),
          );
          break;
        case "x":
        case "X":
          text = Math.trunc(Number(value)).toString(16);
          if (conversion === "X") text = text.toUpperCase();
          break;
        case "o":
          text = Math.trunc(Number(value)).toString(8);
          break;
        case "c":
          text = typeof value === "number" ? String.fromCodePoint(value) : String(value);
          break;
        case "r":
          text = typeof value === "string" ? `'${value}'` : JSON.stringify(value);
          break;
        default:
          text = value === null || value === undefined ? "None" : String(value);
      }
      if (flags.includes("+") && /^[0-9]/.test(text) && "difeEgG".includes(conversion))
        text = `+${text}`;
      const minWidth = width === undefined ? 0 : Number(width);
      if (text.length < minWidth) {
        if (flags.includes("-")) text = text.padEnd(minWidth);
        else if (flags.includes("0") && "difeEgGxXo".includes(conversion)) {
          const sign = /^[-+]/.test(text) ? text[0] : "";
          text = sign + text.slice(sign.length).padStart(minWidth - sign.length, "0");
        } else text = text.padStart(minWidth);
      }
      return text;
    },
  );
}

function center(value, ...args) {
  const [width] = bindArguments(["width"], [80], args);
  const text = String(value);
  const total = Math.max(0, Number(width) - text.length);
  const left = Math.floor(total / 2);
  return " ".repeat(left) + text + " ".repeat(total - left);
}

function wordcount(value) {
  return (String(value).match(/\w+/gu) ?? []).length;
}

/** Positional arguments, then keyword arguments (which arrive as one trailing object). */
function bindArguments(names, defaults, args) {
  const last = args.at(-1);
  const keywords = last !== null && typeof last === "object" && !Array.isArray(last) ? last : null;
  const positional = keywords ? args.slice(0, -1) : args;
  return names.map((name, index) =>
    keywords && name in keywords
      ? keywords[name]
      : index < positional.length
        ? positional[index]
        : defaults[index],
  );
}

/** Jinja2's truncate(length=255, killwords=False, end='...', leeway=5). */
function truncate(value, ...args) {
  const [length, killwords, end, leeway] = bindArguments(
    ["length", "killwords", "end", "leeway"],
    [255, false, "...", 5],
    args,
  );
  const text = String(value);
  if (text.length <= Number(length) + Number(leeway)) return text;
  const room = Math.max(0, Number(length) - String(end).length);
  if (killwords) return text.slice(0, room) + end;
  const cut = text.slice(0, room);
  const lastSpace = cut.lastIndexOf(" ");
  return (lastSpace > 0 ? cut.slice(0, lastSpace) : cut) + end;
}

export const JINJA2_FILTERS = { format: percentFormat, center, wordcount, truncate };
