import type { CaseSatisfactionView, RatingPage } from '../../contracts/satisfaction';
import { scoreWords } from '../../notifier/words';
import {
  satisfactionScores,
  type CaseSatisfactionView as PortalCaseSatisfactionView,
  type RatingPage as PortalRatingPage,
} from '../../portal/shared/types/api';

// The portal keeps its own copy of the rating shapes: held to the contracts here, and its
// words for the scores to the email's.

type Fits<T extends U, U> = T;
export type RatingPageFits = Fits<RatingPage, PortalRatingPage>;
export type CaseSatisfactionFits = Fits<CaseSatisfactionView, PortalCaseSatisfactionView>;

it('the portal names the five scores as the email does', () => {
  expect(satisfactionScores.map((s) => s.score)).toEqual([1, 2, 3, 4, 5]);
  expect(satisfactionScores.map((s) => s.words.toLowerCase())).toEqual([...scoreWords]);
});
