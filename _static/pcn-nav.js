/* The chapter list loads at the top (issue #24, item 2; added to every page by Jupyter Book, from _static).

   With no stored position (a first visit in this tab), pydata-sphinx-theme 0.17 scrolls the sidebar whenever
   the current chapter's link is below mid-window, even when the link is already in view, and the book's
   title scrolled out of sight (181 to 454 px at widths from 992 to 1439 px). Here the list goes back to the
   top wherever the current link is in view from there; a position the reader left on another page of this
   tab is kept, as the theme keeps it. tests/browser/test_nav.py fails once the theme stops scrolling by
   itself, so that this script is removed then. */
(() => {
  "use strict";
  const storedScroll = sessionStorage.getItem("sidebar-scroll-top");  // read before the theme's script runs

  function chapterListAtTop() {
    const sidebar = document.querySelector("div.bd-sidebar");
    const active = [...document.querySelectorAll(".bd-docs-nav .active")].pop();
    if (storedScroll !== null || !sidebar || !active || sidebar.scrollTop === 0) return;
    const linkBottom = active.getBoundingClientRect().bottom - sidebar.getBoundingClientRect().top + sidebar.scrollTop;
    if (linkBottom <= sidebar.clientHeight) sidebar.scrollTop = 0;
  }

  // Listened for before the theme's deferred script (at the end of the page) runs, so this runs after it.
  document.addEventListener("DOMContentLoaded", chapterListAtTop);
})();
