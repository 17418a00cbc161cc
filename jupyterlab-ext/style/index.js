import '@ferry/ui/style.css';
import './base.css';
