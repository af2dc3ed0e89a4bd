// The saga console's only script: the overview refreshes its figures every few seconds, without reloading the page.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(live.getAttribute('data-refresh-seconds'), 10) || 10;
  var toggle = live.querySelector('.refresh-toggle');
  var enabled = true;

  function wire() {
    toggle = live.querySelector('.refresh-toggle');
    if (toggle) {
      toggle.hidden = false;
      var box = toggle.querySelector('input');
      box.checked = enabled;
      box.addEventListener('change', function () { enabled = box.checked; });
    }
  }

  function refresh() {
    if (!enabled || document.hidden) {
      return;
    }
    fetch(window.location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (response) {
        // signed out meanwhile (the sign-in expired): show the sign-in page
        if (response.redirected && response.url.indexOf('/console/login') >= 0) {
          window.location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('live');
        if (fresh) {
          var focused = document.activeElement && document.activeElement.id;
          live.innerHTML = fresh.innerHTML;
          wire();
          if (focused && document.getElementById(focused)) {
            document.getElementById(focused).focus();
          }
        }
      })
      .catch(function () { /* the next round tries again */ });
  }

  wire();
  window.setInterval(refresh, seconds * 1000);
})();
