() => {
  // Measures the rendered page for tests/test_browser_layouts.py (see its docstring).
  const problems = [];
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    let widest = null;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > window.innerWidth + 1 && (!widest || r.right > widest.r)) {
        widest = {r: r.right, el};
      }
    }
    problems.push({kind: 'page', text: widest ? describe(widest.el) : '',
      detail: `scrollWidth ${doc.scrollWidth} > ${window.innerWidth}`});
  }
  function describe(el) {
    const t = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    return `<${el.tagName.toLowerCase()}${cls}> ${t.slice(0, 60)}`;
  }
  function visible(el) {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  const boxes = document.querySelectorAll('main td, main th, main .card');
  for (const box of boxes) {
    if (!visible(box)) continue;
    if (box.scrollWidth > box.clientWidth + 1) {
      problems.push({kind: 'overflow', text: describe(box),
        detail: `scrollWidth ${box.scrollWidth} > clientWidth ${box.clientWidth}`});
      continue;
    }
    const outer = box.getBoundingClientRect();
    for (const inner of box.querySelectorAll('*')) {
      if (!visible(inner)) continue;
      const r = inner.getBoundingClientRect();
      if (r.right > outer.right + 1 || r.left < outer.left - 1) {
        problems.push({kind: 'overflow', text: describe(inner),
          detail: `${Math.round(r.left)}..${Math.round(r.right)} outside ` +
                  `${Math.round(outer.left)}..${Math.round(outer.right)} of ${describe(box)}`});
        break;
      }
    }
  }
  for (const scroller of document.querySelectorAll('main .table-responsive')) {
    if (visible(scroller) && scroller.scrollWidth > scroller.clientWidth + 1) {
      problems.push({kind: 'overflow', text: describe(scroller).slice(0, 80),
        detail: `table scrolls sideways: ${scroller.scrollWidth} > ${scroller.clientWidth}`});
    }
  }
  for (const el of document.querySelectorAll('main *')) {
    const s = getComputedStyle(el);
    if (s.textOverflow !== 'ellipsis' || el.scrollWidth <= el.clientWidth + 1) continue;
    const em = parseFloat(s.fontSize) || 16;
    if (visible(el) && el.clientWidth < 5 * em && el.scrollWidth > 2 * el.clientWidth) {
      problems.push({kind: 'truncated', text: describe(el),
        detail: `cut to ${el.clientWidth} px of ${el.scrollWidth} px`});
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent.replace(/\s+/g, '');
    if (text.length < 2) continue;
    const parent = node.parentElement;
    if (!parent || !visible(parent)) continue;
    if (parent.closest('script, style, .visually-hidden, option, select')) continue;
    range.selectNodeContents(node);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
    const lines = new Map();
    for (const r of rects) {
      const key = Math.round(r.top);
      lines.set(key, Math.max(lines.get(key) || 0, r.width));
    }
    if (lines.size < 2) continue;
    const em = parseFloat(getComputedStyle(parent).fontSize) || 16;
    const widest = Math.max(...lines.values());
    if (widest < 1.6 * em || (lines.size >= 3 && widest < 2.6 * em)) {
      problems.push({kind: 'narrow', text: node.textContent.trim().replace(/\s+/g, ' ').slice(0, 60),
        detail: `${lines.size} lines, widest ${Math.round(widest)} px at ${Math.round(em)} px font`});
    }
  }
  return problems;
}
