import { chooseBox, type Box } from '../../api/voice/boxChoice';

// Which Zen box a call is about, from what the customer's boxes show.

const box = (place: string, more: Partial<Box> = {}): Box => ({
  deviceId: `pi-${place}`,
  place,
  fault: false,
  createdAt: 0,
  ...more,
});

it('one box: that box', () => {
  expect(chooseBox([box('Main')])).toEqual({ kind: 'one', box: box('Main'), several: false });
  expect(chooseBox([])).toEqual({ kind: 'none' });
});

it('a fix waiting for approval beats an older box and any other open case', () => {
  const boxes = [
    box('Oldest'),
    box('Diagnosing', { openCase: 'diagnosing' }),
    box('Waiting', { openCase: 'awaiting_approval' }),
    box('Silent', { fault: true }),
  ];
  expect(chooseBox(boxes)).toMatchObject({ kind: 'one', box: { place: 'Waiting' }, several: true });
});

it('then any open case, then a reported fault', () => {
  expect(
    chooseBox([box('A'), box('B', { openCase: 'fixing' }), box('C', { fault: true })]),
  ).toMatchObject({
    kind: 'one',
    box: { place: 'B' },
  });
  expect(chooseBox([box('A'), box('C', { fault: true })])).toMatchObject({
    kind: 'one',
    box: { place: 'C' },
  });
});

it('several boxes and none stands out, or several equal: the caller picks among those', () => {
  expect(chooseBox([box('A'), box('B')])).toEqual({ kind: 'ask', boxes: [box('A'), box('B')] });
  const tied = chooseBox([box('A', { fault: true }), box('B'), box('C', { fault: true })]);
  expect(tied).toMatchObject({ kind: 'ask', boxes: [{ place: 'A' }, { place: 'C' }] });
});

it('the keypad menu has at most nine places', () => {
  const many = Array.from({ length: 12 }, (_, i) => box(`Site ${i + 1}`));
  const choice = chooseBox(many);
  expect(choice.kind === 'ask' && choice.boxes).toHaveLength(9);
});
