'use strict';
// Where things are in a .tf file. @cdktf/hcl2json gives the structure but no line numbers, and it cannot
// tell `x = [{...}]` from `x {...}` (both become a list of objects). This scanner reads the same text for
// exactly those two facts: for every body, its items in order, each an attribute (`name = ...`) or a block
// (`name "label" { ... }`), with the line it starts on. Expressions are skipped, not parsed: strings with
// ${...} templates, heredocs, comments and brackets are tracked only to find where each item ends.

function scan(text) {
  let i = 0;
  let line = 1;
  const n = text.length;

  const peek = (k = 0) => text[i + k];
  const advance = () => {
    if (text[i] === '\n') line++;
    i++;
  };

  function skipLineComment() {
    while (i < n && text[i] !== '\n') i++;
  }
  function skipBlockComment() {
    i += 2;
    while (i < n && !(text[i] === '*' && text[i + 1] === '/')) advance();
    i += 2;
  }
  function skipSpaceAndComments(stopAtNewline) {
    while (i < n) {
      const c = text[i];
      if (c === '\n') {
        if (stopAtNewline) return;
        advance();
      } else if (c === ' ' || c === '\t' || c === '\r') {
        i++;
      } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
        skipLineComment();
      } else if (c === '/' && text[i + 1] === '*') {
        skipBlockComment();
      } else {
        return;
      }
    }
  }
  // A quoted template: "...", with escapes and ${ } / %{ } holding expressions (which may hold strings).
  function skipString() {
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '\\') {
        i += 2;
      } else if (c === '"') {
        i++;
        return;
      } else if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') {
        i += 3; // $${ and %%{ are literal
      } else if ((c === '$' || c === '%') && text[i + 1] === '{') {
        i += 2;
        skipExpression(true);
        i++; // the closing }
      } else {
        advance();
      }
    }
  }
  function skipHeredoc() {
    const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(i, i + 200));
    if (!m) {
      i += 2;
      return;
    }
    const marker = m[1];
    i += m[0].length - 1;
    advance(); // the newline
    while (i < n) {
      const end = text.indexOf('\n', i);
      const lineText = text.slice(i, end < 0 ? n : end);
      if (lineText.trim() === marker) {
        i += lineText.length;
        return;
      }
      i = end < 0 ? n : end;
      advance();
    }
  }
  // Skips an expression. Top level (inTemplate false): up to the newline that ends the attribute, outside
  // any brackets. In a template interpolation: up to the } that closes it.
  function skipExpression(inTemplate) {
    let depth = 0;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        skipString();
      } else if (c === '<' && text[i + 1] === '<' && /[-A-Za-z_]/.test(text[i + 2] || '')) {
        skipHeredoc();
      } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
        skipLineComment();
      } else if (c === '/' && text[i + 1] === '*') {
        skipBlockComment();
      } else if (c === '(' || c === '[' || c === '{') {
        depth++;
        i++;
      } else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return; // closes the enclosing body or interpolation
        depth--;
        i++;
      } else if (c === '\n' && depth === 0 && !inTemplate) {
        return;
      } else {
        advance();
      }
    }
  }

  // A body: attributes and blocks until the closing brace (or the end of the file).
  function body() {
    const items = [];
    for (;;) {
      skipSpaceAndComments(false);
      if (i >= n) return items;
      if (text[i] === '}') {
        i++;
        return items;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 200));
      if (!m) {
        // Not an item start (should not happen in valid HCL): skip the rest of the line.
        skipExpression(false);
        continue;
      }
      const name = m[0];
      const startLine = line;
      const start = i;
      i += name.length;
      skipSpaceAndComments(true);
      if (text[i] === '=' && text[i + 1] !== '=') {
        i++;
        skipExpression(false);
        items.push({ kind: 'attribute', name, line: startLine, start, end: i });
        continue;
      }
      const labels = [];
      for (;;) {
        skipSpaceAndComments(true);
        if (text[i] === '"') {
          const s = i;
          skipString();
          labels.push(JSON.parse(text.slice(s, i)));
        } else {
          const l = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 200));
          if (!l) break;
          labels.push(l[0]);
          i += l[0].length;
        }
      }
      if (text[i] === '{') {
        i++;
        const children = body();
        items.push({ kind: 'block', name, labels, line: startLine, start, end: i, body: children });
      } else {
        skipExpression(false);
      }
    }
  }

  return body();
}

/** The line of `key =` inside an attribute's object value, or the attribute's own line. */
function lineOfKey(text, item, key) {
  if (!item) return undefined;
  const span = text.slice(item.start, item.end);
  const re = new RegExp(`(^|[\\s{,])"?${key.replace(/[^A-Za-z0-9_]/g, '\\$&')}"?\\s*=(?!=)`);
  const m = re.exec(span);
  if (!m) return item.line;
  return item.line + (span.slice(0, m.index + m[1].length).match(/\n/g) || []).length;
}

module.exports = { scan, lineOfKey };
