// Slider panels over the page ([P2] opens openPath pages and applications in sliders).

import { el } from './portal-dom.js';
import { state } from './portal-state.js';

const LABEL_COLORS = { aqua: '#2fc6f6', green: '#9dcf00', orange: '#ffa900', brown: '#b47a00', pink: '#ff5b9e', blue: '#2067b0', grey: '#a8adb4', violet: '#a855f7' };

// opts: kind ('path' | 'app'), title, width, leftBoundary, label {text, bgColor, color},
// onClose. Returns the slider; its .body is for the content.
export function openSlider(opts) {
  const closeButton = el('button', { type: 'button', className: 'b24-slider-close', 'aria-label': 'Close', text: '\u00d7' });
  const titleNode = el('span', { className: 'b24-slider-title', text: opts.title || '' });
  const body = el('div', { className: 'b24-slider-body' });
  const panel = el('div', { className: 'b24-slider b24-slider-' + opts.kind }, [
    el('div', { className: 'b24-slider-header' }, [titleNode, closeButton]),
    body,
  ]);
  if (opts.width) panel.style.width = opts.width + 'px';
  else if (opts.leftBoundary) panel.style.left = opts.leftBoundary + 'px';
  const label = opts.label && typeof opts.label === 'object' ? opts.label : null;
  if (label) {
    const tab = el('div', { className: 'b24-slider-label', text: label.text ? String(label.text) : '' });
    const bg = LABEL_COLORS[label.bgColor] || label.bgColor;
    if (bg) tab.style.background = String(bg);
    if (label.color) tab.style.color = String(label.color);
    panel.appendChild(tab);
  }
  const overlay = el('div', { className: 'b24-slider-overlay' }, [panel]);
  const slider = { kind: opts.kind, title: opts.title, node: overlay, body, titleNode, onClose: opts.onClose };
  closeButton.addEventListener('click', () => closeSlider(slider));
  overlay.addEventListener('click', (e) => { if (e.target === overlay) closeSlider(slider); });
  state.sliders.push(slider);
  document.getElementById('sliders').appendChild(overlay);
  return slider;
}

// Closes the given slider, or the top one, and tells its opener.
export function closeSlider(slider) {
  slider = slider || state.sliders[state.sliders.length - 1];
  const index = state.sliders.indexOf(slider);
  if (index < 0) return false;
  state.sliders.splice(index, 1);
  slider.node.remove();
  slider.onClose();
  return true;
}
