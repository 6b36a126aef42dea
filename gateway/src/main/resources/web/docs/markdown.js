// A small Markdown renderer for the contracts' descriptions: headings, paragraphs, bullet and
// numbered lists (nested by indentation), fenced code, tables, and inline code, bold, italics
// and links. It builds DOM nodes and sets only their text, never HTML, so nothing a document
// says can become markup or script. Links keep only http(s), relative and #fragment targets.

const FENCE = /^\s*```/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
const SAFE_LINK = /^(https?:\/\/|\/(?!\/)|#|\.{1,2}\/)/i;

/**
 * Renders Markdown text into a DocumentFragment. `topLevel` is the HTML heading level a "#"
 * heading gets (a "##" one gets the next), so a description nests under the page's own headings.
 */
export function renderMarkdown(text, { topLevel = 2 } = {}) {
  const fragment = document.createDocumentFragment();
  fragment.append(...blocks(String(text ?? '').replace(/\r\n?/g, '\n').split('\n'), topLevel));
  return fragment;
}

function el(tag, ...children) {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
}

const indentOf = line => line.length - line.trimStart().length;
const blank = line => line.trim() === '';
const startsBlock = line => FENCE.test(line) || HEADING.test(line) || ITEM.test(line);

function blocks(lines, topLevel) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (blank(line)) {
      i++;
    } else if (FENCE.test(line)) {
      const code = [];
      for (i++; i < lines.length && !FENCE.test(lines[i]); i++) {
        code.push(lines[i]);
      }
      i++; // the closing fence (or the end)
      out.push(el('pre', el('code', code.join('\n'))));
    } else if (HEADING.test(line)) {
      const [, hashes, title] = HEADING.exec(line);
      out.push(el('h' + Math.min(6, topLevel + hashes.length - 1), ...inline(title)));
      i++;
    } else if (line.trimStart().startsWith('|') && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
      const rows = [];
      for (; i < lines.length && lines[i].trimStart().startsWith('|'); i++) {
        rows.push(lines[i]);
      }
      out.push(table(rows));
    } else if (ITEM.test(line)) {
      const [list, next] = listAt(lines, i, topLevel);
      out.push(list);
      i = next;
    } else {
      const paragraph = [];
      for (; i < lines.length && !blank(lines[i]) && (paragraph.length === 0 || !startsBlock(lines[i])); i++) {
        paragraph.push(lines[i].trim());
      }
      out.push(el('p', ...inline(paragraph.join(' '))));
    }
  }
  return out;
}

/** The list starting at line i, and the index of the first line after it. */
function listAt(lines, i, topLevel) {
  const first = ITEM.exec(lines[i]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const list = el(ordered ? 'ol' : 'ul');
  if (ordered && parseInt(first[2], 10) !== 1) {
    list.start = parseInt(first[2], 10);
  }
  while (i < lines.length) {
    const item = ITEM.exec(lines[i]);
    if (!item || item[1].length !== indent || /\d/.test(item[2]) !== ordered) {
      break;
    }
    // An item's own lines are indented to where its text starts; a nested list is one of them.
    const contentIndent = item[0].length - item[3].length;
    const body = [item[3]];
    for (i++; i < lines.length; i++) {
      const line = lines[i];
      if (blank(line)) {
        let j = i;
        while (j < lines.length && blank(lines[j])) j++;
        if (j < lines.length && indentOf(lines[j]) >= contentIndent) {
          body.push('');
          continue;
        }
        break;
      }
      if (indentOf(line) >= contentIndent) {
        body.push(line.slice(contentIndent));
      } else if (!startsBlock(line) && indentOf(line) > indent) {
        body.push(line.trim()); // a continuation line indented less than the text: still the item's
      } else {
        break;
      }
    }
    const content = blocks(body, topLevel);
    // A one-paragraph item shows its text without a paragraph's margins.
    const li = content.length === 1 && content[0].tagName === 'P' ? el('li', ...content[0].childNodes) : el('li', ...content);
    list.append(li);
  }
  return [list, i];
}

function table(rows) {
  const [head, , ...body] = rows.map(cells);
  const thead = el('thead', el('tr', ...head.map(c => el('th', ...inline(c)))));
  const tbody = el('tbody', ...body.map(row => el('tr', ...head.map((_, k) => el('td', ...inline(row[k] ?? ''))))));
  return el('table', thead, tbody);
}

/** A table row's cells: split on "|" outside code spans; "\|" is a literal bar. */
function cells(row) {
  const out = [];
  let cell = '';
  let inCode = false;
  const text = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === '\\' && text[k + 1] === '|') {
      cell += '|';
      k++;
    } else if (c === '`') {
      inCode = !inCode;
      cell += c;
    } else if (c === '|' && !inCode) {
      out.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  out.push(cell.trim());
  return out;
}

// Code spans first (their content is literal), then escapes, links, bold, italics.
const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\\([\\`*_[\]()#+\-.!|{}<>])|\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|\*\*([\s\S]+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*/g;

/** Inline Markdown as a list of nodes (text nodes and elements). */
export function inline(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    last = m.index + m[0].length;
    const [, ticks, code, escaped, label, href, strong, em] = m;
    if (ticks) {
      out.push(el('code', code.length > 2 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code));
    } else if (escaped) {
      out.push(document.createTextNode(escaped));
    } else if (label) {
      if (SAFE_LINK.test(href)) {
        const a = el('a', ...inline(label));
        a.href = href;
        out.push(a);
      } else {
        out.push(...inline(label));
      }
    } else if (strong) {
      out.push(el('strong', ...inline(strong)));
    } else {
      out.push(el('em', ...inline(em)));
    }
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}
