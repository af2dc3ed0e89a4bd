// Draws a page's saga diagram: the Mermaid text the server wrote (pre.diagram-source) becomes an SVG beside it. Mermaid
// comes from the console's own assets, never a CDN. The text stays on the page, to copy, and is what a browser without
// scripts shows.
(function () {
  'use strict';
  var source = document.querySelector('pre.diagram-source');
  var figure = source && document.getElementById(source.getAttribute('data-draw-into'));
  if (!figure || !window.mermaid) {
    return;
  }
  // strict: labels come from definition files, so Mermaid treats them as text and allows no links or scripts in them
  window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
  window.mermaid.render('saga-diagram-svg', source.textContent).then(function (drawn) {
    figure.innerHTML = drawn.svg;
    figure.setAttribute('data-drawn', 'true');
  }).catch(function (e) {
    figure.textContent = 'The diagram could not be drawn: ' + (e && e.message ? e.message : e);
    figure.setAttribute('data-drawn', 'failed');
  });
})();
