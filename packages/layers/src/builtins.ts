// Registers every built-in activation, initializer, regularizer and constraint under its Keras
// name. Layers import this so string identifiers ('relu', 'glorot_uniform', 'l2', 'max_norm')
// resolve even when a layer module is imported on its own.
import './activations/activations';
import './initializers/constant';
import './initializers/random';
import './initializers/variance-scaling';
import './initializers/orthogonal';
import './regularizers/l1l2';
import './regularizers/orthogonal-regularizer';
import './constraints/constraints';
