import { patched } from '@temporalio/workflow';

// Every patch costs a case a marker and a visibility upsert of its own (TemporalChangeVersion).
// Cases started from a version on record one marker that stands for every patch before it;
// older cases still ask for each patch where they meet it. Asked once, at the case's start.

export interface PatchMarkers {
  /** A patch made before 22 Nov 2026. */
  since(patch: string): boolean;
  /** A patch made from 22 Nov to 6 Dec 2026. */
  sinceDec06(patch: string): boolean;
  /**
   * The case started on or after 6 Dec 2026: its notifications are planned in an activity,
   * and a notifyPeople child is started only when someone is to be told (notifications.ts).
   */
  fromDec06: boolean;
}

export function patchMarkers(): PatchMarkers {
  const fromDec06 = patched('every-patch-of-2026-12-06');
  const fromNov22 = fromDec06 || patched('every-patch-of-2026-11-22');
  return {
    since: (patch) => fromNov22 || patched(patch),
    sinceDec06: (patch) => fromDec06 || patched(patch),
    fromDec06,
  };
}
