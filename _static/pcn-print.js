/* Printed links go to the published book (issue #24, item 3; added to every page by Jupyter Book, from _static).

   A printed PDF keeps its links clickable, with the address the page was read from: a local server's or a
   file path, which nobody who is handed the paper or the PDF can open. _ext/pcn_print.py gives every link to
   a page of the book its absolute URL under the base URL in CITATION.cff (data-print-href where the stylesheet
   prints it, data-print-link where it does not); here that URL becomes the link's href for the print, and
   the page's own links come back after it. Links within the page (#…) stay jumps within the PDF, except a
   reference's link back to where it is cited: that is screen navigation, and on paper it can point at text
   that does not print (the key messages' preface), a jump to nowhere; it prints as plain text. So does any
   other link within the page whose target does not print (screen-only text, such as the key messages'
   reference list, or a folded block).
   tests/browser/test_print.py reads the links back from the printed PDF. */
(() => {
  "use strict";
  const served = new Map();  // link -> the href it had before the print

  const unprinted = (link) => {  // a jump within the page to text that paper leaves out
    const id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    const target = id && document.getElementById(id);
    if (!target) return false;
    const folded = target.closest("details");
    return Boolean(target.closest(".pcn-screen-only, section:has(> .pcn-screen-only)") ||  // as pcn-print.css hides them
                    (folded && !folded.open && !target.closest("summary")));
  };

  window.addEventListener("beforeprint", () => {
    for (const link of document.querySelectorAll("a[href^='#']")) {
      if (!unprinted(link)) continue;
      if (!served.has(link)) served.set(link, link.getAttribute("href"));
      link.removeAttribute("href");
    }
    for (const link of document.querySelectorAll("a[data-print-href], a[data-print-link], a[role='doc-backlink'][href]")) {
      if (!served.has(link)) served.set(link, link.getAttribute("href"));
      const published = link.dataset.printHref || link.dataset.printLink;
      if (published) link.setAttribute("href", published);
      else link.removeAttribute("href");
    }
  });

  window.addEventListener("afterprint", () => {
    for (const [link, href] of served) link.setAttribute("href", href);
    served.clear();
  });
})();
