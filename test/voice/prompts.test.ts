import { prompts } from '../../api/voice/callFlow';

// What a caller hears of a step: a box that cannot reach us, or a step on site.

const step = {
  title: 'Unplug the second router',
  steps: ['Find the second router.', 'Unplug its network cable.'],
  because: 'Two devices hand out addresses.',
  category: 'dhcp' as const,
};

it('a step while the box is away tells the caller the box will be back', () => {
  const said = prompts.manualStep(step);
  expect(said).toMatch(/^Your Zen box cannot reach us right now\. Unplug the second router\./);
  expect(said).toContain('Step 1: Find the second router. Step 2: Unplug its network cable.');
});

it('a step on site tells the caller how to say it is done', () => {
  const said = prompts.manualStep({ ...step, awaitsWord: true });
  expect(said).toMatch(/^You can fix this yourself\. Unplug the second router\./);
  expect(said).toContain('Step 2: Unplug its network cable.');
  expect(said).toContain('"I have done this"');
  expect(said).not.toContain('cannot reach us');
});
