// Placement-specific commands and bindable events (REST docs, "ui-interaction"). General
// commands are never listed by getInterface (§3.18), so DEFAULT gets empty lists.

const CRM_CARD = { commands: ['reloadData'], events: [] };

export const PLACEMENTS = {
  DEFAULT: { commands: [], events: [] },
  LEFT_MENU: { commands: [], events: [] },
  CRM_DEAL_DETAIL_TAB: CRM_CARD,
  CRM_LEAD_DETAIL_TAB: CRM_CARD,
  CRM_CONTACT_DETAIL_TAB: CRM_CARD,
  CRM_COMPANY_DETAIL_TAB: CRM_CARD,
  CRM_DEAL_LIST_MENU: CRM_CARD,
  TASK_VIEW_TAB: { commands: [], events: [] },
  USERFIELD_TYPE: { commands: ['setValue', 'getValue'], events: [] },
  CALL_CARD: {
    commands: ['getStatus', 'disableAutoClose', 'enableAutoClose'],
    events: ['CallCard::CallStateChanged', 'CallCard::EntityChanged', 'CallCard::BeforeClose'],
  },
  PAGE_BACKGROUND_WORKER: {
    commands: ['CallCardSetMute', 'CallCardSetHold', 'CallCardSetCardTitle', 'CallCardSetStatusText', 'CallCardClose'],
    events: ['BackgroundCallCard::initialized', 'BackgroundCallCard::muteButtonClick', 'BackgroundCallCard::holdButtonClick', 'BackgroundCallCard::hangupButtonClick'],
  },
};

export const NO_PLACEMENT = { commands: [], events: [] };

// A sample payload per event for the inspector's "Fire" tool (first handler argument).
export const EVENT_SAMPLES = {
  'CallCard::CallStateChanged': 'connected',
  'CallCard::EntityChanged': { CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 2, PHONE_NUMBER: '+1 555 0100' },
  'BackgroundCallCard::initialized': { CALL_ID: 'externalCall.1', PHONE_NUMBER: '+1 555 0100' },
};
