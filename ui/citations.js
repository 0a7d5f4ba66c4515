() => {
  // The chat's [n] markers are links to their sources. Each marker in an answer is wrapped in a
  // focusable span.rag-cite as it renders (the answer's text, its copy and the API stay as they
  // are). A click (or Enter) on an answer shows that answer's sources (ui/app.py: show_sources),
  // then window.ragShowCited brings the quote of the marker clicked into view and flashes it, or
  // the first quote (showFirstQuote), as when a new answer's sources are shown. Opening "Read the
  // whole essay" scrolls its text to the first quote. A question of nothing but spaces is not sent.
  const MARKER = /\[(\d{1,3})\]/g, HAS_MARKER = /\[\d{1,3}\]/;
  let cited = null;

  const wrapMarkers = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        HAS_MARKER.test(node.textContent) && !node.parentElement.closest(".rag-cite, code, pre")
          ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const text = node.textContent, parts = document.createDocumentFragment();
      let pos = 0;
      for (const m of text.matchAll(MARKER)) {
        parts.append(text.slice(pos, m.index));
        const cite = document.createElement("span");
        cite.className = "rag-cite";
        cite.dataset.n = m[1];
        cite.tabIndex = 0;
        cite.setAttribute("role", "button");
        cite.title = `Show source ${m[1]}`;
        cite.textContent = m[0];
        parts.append(cite);
        pos = m.index + m[0].length;
      }
      parts.append(text.slice(pos));
      node.replaceWith(parts);
    }
  };

  const wrapAll = () => document.querySelectorAll("#rag-chat .bot .message-content").forEach((message) => {
    wrapMarkers(message);
    for (const p of message.querySelectorAll("p")) {  // the "Sources: [1] Title ..." lines (ui/render.py)
      if (p.textContent.startsWith("Sources: [") && !p.classList.contains("rag-footer")) p.classList.add("rag-footer");
    }
  });
  // the chat re-renders an answer as it streams; the sources panel's (large) updates are not walked
  const inChat = (node) => (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest("#rag-chat");

  const flash = (element) => {
    element.classList.remove("rag-flash");
    void element.offsetWidth;  // restart the animation on a second click
    element.classList.add("rag-flash");
  };

  document.addEventListener("click", (event) => {
    if (!event.target.closest) return;
    const send = event.target.closest("#rag-input button.submit-button");
    const box = document.querySelector("#rag-input textarea");
    if (send && box && !box.value.trim()) {  // nothing but spaces: Gradio would post an empty question
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (!event.target.closest("#rag-chat .bot")) return;
    const cite = event.target.closest(".rag-cite");
    cited = cite ? cite.dataset.n : null;
  }, true);

  document.addEventListener("keydown", (event) => {
    if (!event.target.closest) return;
    if (event.key === "Enter" && !event.shiftKey && event.target.closest("#rag-input textarea")
        && !event.target.value.trim()) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const cite = event.target.closest("#rag-chat .rag-cite");
    if (cite && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      cite.click();
    }
  }, true);

  // the panel's top, or, when its first source's first quote lies below the panel's fold (a long
  // passage), that quote a quarter of the way down: the panel scrolls, never the page
  const showFirstQuote = (panel) => {
    const quote = panel.querySelector(".rag-passage mark");
    let top = 0;
    if (quote) {
      const at = quote.getBoundingClientRect(), box = panel.getBoundingClientRect();
      if (at.bottom - box.top + panel.scrollTop > panel.clientHeight) {
        top = at.top - box.top + panel.scrollTop - panel.clientHeight / 4;
      }
    }
    panel.scrollTo({ top, behavior: "smooth" });
  };
  // one observer: answers streaming into the chat get their markers wrapped; a new answer's sources
  // get their first quote placed (not those of an answer clicked: ragShowCited places them)
  let placing = false;
  new MutationObserver((mutations) => {
    if (mutations.some((m) => inChat(m.target))) wrapAll();
    const panel = document.querySelector("#rag-sources");
    if (!panel || placing || cited !== null || !mutations.some((m) => panel.contains(m.target))) return;
    placing = true;
    requestAnimationFrame(() => { placing = false; showFirstQuote(panel); });
  }).observe(document.body, { childList: true, subtree: true, characterData: true });

  window.ragShowCited = () => {
    const panel = document.querySelector("#rag-sources");
    if (!panel) return;
    const n = cited;
    cited = null;
    const quote = n && panel.querySelector(`.rag-passage mark.rag-q${n}, .rag-quote mark.rag-q${n}`);
    if (!quote) {
      showFirstQuote(panel);
      return;
    }
    quote.scrollIntoView({ behavior: "smooth", block: "center" });
    flash(quote.closest(".rag-source"));
    flash(quote);
  };

  // the question box takes the focus on a wide screen; on a phone that would scroll the page
  // past the title to the box and open the keyboard before anything was read
  const focusBox = (tries) => {
    const box = document.querySelector("#rag-input textarea");
    if (box) box.focus({ preventScroll: true });
    else if (tries > 0) setTimeout(() => focusBox(tries - 1), 100);
  };
  if (window.matchMedia("(min-width: 701px)").matches) focusBox(50);

  document.addEventListener("toggle", (event) => {
    const essay = event.target;
    if (!essay.matches || !essay.matches("details.rag-essay") || !essay.open) return;
    const box = essay.querySelector(".rag-essay-text");
    const target = essay.querySelector(".rag-in-passage mark") || essay.querySelector(".rag-in-passage");
    if (!box || !target) return;
    box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 4;
    box.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }, true);
}
