// One labelled <meter> per class: accessible (each meter is named "<owner> <class>") and cheap to
// update, since rows are created once per label and then only their values change.
import { el, setText } from './dom.js';

export class ProbabilityMeters {
  readonly root: HTMLElement;
  private readonly rows = new Map<string, { meter: HTMLMeterElement; value: HTMLElement }>();

  constructor(private readonly owner: string) {
    this.root = el('div', { class: 'meters', role: 'group', 'aria-label': `Class probabilities for ${owner}` });
  }

  update(values: Record<string, number>): void {
    for (const [label, v] of Object.entries(values)) {
      let row = this.rows.get(label);
      if (!row) {
        const line = el('label', { class: 'meter' });
        const meter = el('meter', { min: '0', max: '1', 'aria-label': `${this.owner} ${label}` });
        const value = el('span', { class: 'value' });
        line.append(el('span', { class: 'name' }, label), meter, value);
        this.root.append(line);
        row = { meter, value };
        this.rows.set(label, row);
      }
      if (row.meter.value !== v) row.meter.value = v;
      setText(row.value, v.toFixed(2));
    }
  }
}
