() => {
  // The chat's [n] markers are links to their sources. Each marker in an answer is wrapped in a
  // span.rag-cite as it renders (the answer's text, its copy and the API stay as they are). A
  // click on an answer shows that answer's sources (ui/app.py: show_sources), then
  // window.ragShowCited scrolls the panel to the card of the marker clicked, or to its top.
  // Opening "Read the whole essay" scrolls its text to the passage.
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
        cite.title = `Show source ${m[1]}`;
        cite.textContent = m[0];
        parts.append(cite);
        pos = m.index + m[0].length;
      }
      parts.append(text.slice(pos));
      node.replaceWith(parts);
    }
  };

  const wrapAll = () => document.querySelectorAll("#rag-chat .bot .message-content").forEach(wrapMarkers);
  new MutationObserver(wrapAll).observe(document.body, { childList: true, subtree: true, characterData: true });

  document.addEventListener("click", (event) => {
    if (!event.target.closest || !event.target.closest("#rag-chat .bot")) return;
    const cite = event.target.closest(".rag-cite");
    cited = cite ? cite.dataset.n : null;
  }, true);

  window.ragShowCited = () => {
    const panel = document.querySelector("#rag-sources");
    if (!panel) return;
    const number = [...panel.querySelectorAll(".rag-num")].find((el) => el.textContent.trim() === cited);
    const card = number && number.closest(".rag-source");
    cited = null;
    if (!card) {
      panel.scrollTo({ top: 0, behavior: "smooth" });
      return;
    }
    card.scrollIntoView({ behavior: "smooth", block: "nearest" });
    card.classList.remove("rag-flash");
    void card.offsetWidth;  // restart the animation on a second click
    card.classList.add("rag-flash");
  };

  document.addEventListener("toggle", (event) => {
    const essay = event.target;
    if (!essay.matches || !essay.matches("details.rag-essay") || !essay.open) return;
    const box = essay.querySelector(".rag-essay-text"), passage = essay.querySelector(".rag-in-passage");
    if (box && passage) box.scrollTop += passage.getBoundingClientRect().top - box.getBoundingClientRect().top - 16;
  }, true);
}
