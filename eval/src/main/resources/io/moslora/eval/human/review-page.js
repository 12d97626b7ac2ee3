// Saves the rater's choices in this browser (localStorage) and exports them as a CSV file.
// Works from file:// with no network: everything it needs is in the page.
(function () {
  'use strict';
  var root = document.getElementById('study');
  var study = root.getAttribute('data-study');
  var storageKey = 'human-eval/' + study;
  var fieldsets = Array.prototype.slice.call(document.querySelectorAll('fieldset.vote'));
  var raterInput = document.getElementById('rater');
  var progress = document.getElementById('progress');
  var status = document.getElementById('status');
  var output = document.getElementById('csv-output');

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey) || '{}');
      return { rater: saved.rater || '', votes: saved.votes || {} };
    } catch (e) {
      return { rater: '', votes: {} };
    }
  }

  var state = load();

  function save() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {
      status.textContent = 'Could not save in this browser: ' + e + '. Export your votes before closing the page.';
    }
  }

  function voteKey(fs) {
    return fs.getAttribute('data-pair') + '/' + fs.getAttribute('data-criterion');
  }

  function missing() {
    return fieldsets.filter(function (fs) { return !state.votes[voteKey(fs)]; });
  }

  function showProgress() {
    var done = fieldsets.length - missing().length;
    progress.textContent = done + ' of ' + fieldsets.length + ' answered';
  }

  function csvField(value) {
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function buildCsv() {
    var lines = ['study,rater,pair,criterion,choice'];
    fieldsets.forEach(function (fs) {
      lines.push([study, state.rater, fs.getAttribute('data-pair'), fs.getAttribute('data-criterion'),
        state.votes[voteKey(fs)]].map(csvField).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  function exportVotes() {
    state.rater = raterInput.value.trim();
    save();
    if (!state.rater) {
      status.textContent = 'Enter your rater id first.';
      raterInput.focus();
      return;
    }
    var open = missing();
    if (open.length > 0) {
      var section = open[0].closest('section.pair');
      status.textContent = open.length + ' answer(s) missing; the first is in ' +
        section.querySelector('h2').textContent + '.';
      section.scrollIntoView();
      return;
    }
    var csv = buildCsv();
    output.value = csv;
    output.hidden = false;
    var link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    link.download = 'votes-' + state.rater.replace(/[^A-Za-z0-9_-]+/g, '_') + '.csv';
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    status.textContent = 'Exported ' + fieldsets.length + ' answers. Send the downloaded file back.';
  }

  raterInput.value = state.rater;
  fieldsets.forEach(function (fs) {
    var chosen = state.votes[voteKey(fs)];
    Array.prototype.forEach.call(fs.querySelectorAll('input[type=radio]'), function (input) {
      input.checked = input.value === chosen;
      input.addEventListener('change', function () {
        if (input.checked) {
          state.votes[voteKey(fs)] = input.value;
          save();
          showProgress();
        }
      });
    });
  });
  raterInput.addEventListener('input', function () {
    state.rater = raterInput.value.trim();
    save();
  });
  document.getElementById('export').addEventListener('click', exportVotes);
  // Several raters may share one computer: the next one starts from a clean page.
  document.getElementById('reset').addEventListener('click', function () {
    if (!window.confirm('Clear the rater id and all answers saved in this browser? Export them first.')) {
      return;
    }
    state = { rater: '', votes: {} };
    save();
    raterInput.value = '';
    Array.prototype.forEach.call(document.querySelectorAll('input[type=radio]'), function (input) {
      input.checked = false;
    });
    output.value = '';
    output.hidden = true;
    status.textContent = '';
    showProgress();
  });
  showProgress();
})();
