export { at, defined } from '../testing/defined'
