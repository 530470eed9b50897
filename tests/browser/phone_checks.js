([minText, oneLine, maxHeader]) => {
  // What does not fit a phone on the page shown (see phone_checks.py), in words.
  const problems = [];
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    const cls = el.getAttribute("class") ? "." + el.getAttribute("class").split(" ")[0] : "";
    return `<${el.tagName.toLowerCase()}${cls}> "${text}"`;
  };
  const scrollsItself = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && style.opacity !== "0";
  };
  const header = document.querySelector("body > header");
  if (header && header.getBoundingClientRect().height > window.innerHeight * maxHeader) {
    problems.push(`the header takes ${Math.round(header.getBoundingClientRect().height)} px of ${window.innerHeight}`);
  }
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrollsItself(el))
      .slice(-2).map(describe);
    problems.push(`scrolls sideways (${document.documentElement.scrollWidth} px): ${wide.join(", ")}`);
  }
  for (const svg of document.querySelectorAll("svg.chart-svg")) {
    const box = svg.getBoundingClientRect();
    if (box.width > width || box.right > width + 1) {
      problems.push(`chart "${svg.querySelector("title")?.textContent}" is ${Math.round(box.width)} px wide`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || seen.has(el)) continue;
    seen.add(el);
    if (el.closest("title, desc, script, style, noscript") || !shown(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) {
      const matrix = el.getScreenCTM();
      if (matrix) size *= Math.hypot(matrix.a, matrix.b);
    }
    if (size < minText - 0.05) problems.push(`${describe(el)} is ${size.toFixed(1)} px`);
  }
  for (const el of document.querySelectorAll(oneLine)) {
    if (!shown(el)) continue;
    // Lines of the label's own text: boxes that start below the first line's middle.
    const range = document.createRange();
    range.selectNodeContents(el);
    const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
    if (boxes.length && boxes.some((box) => box.top >= boxes[0].top + boxes[0].height * 0.6)) {
      problems.push(`${describe(el)} wraps`);
    }
  }
  // French pages write decimals with a comma: a figure "0.54" next to "0,54" is a slip.
  if (document.documentElement.lang === "fr") {
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const node = texts.currentNode;
      if (node.parentElement?.closest("code, pre, kbd, samp, title, desc, script, style")) continue;
      const decimal = node.textContent.match(/(^|[^\w.:/-])\d+\.\d+(?![\w.:/-])/);
      if (decimal) problems.push(`${describe(node.parentElement)} writes "${decimal[0].trim()}" with a point`);
    }
  }
  return problems;
}
